/**
 * The page URL's query (?run=12, ?compare=3,5) as state: the Training tab keeps which run it shows
 * there, so a reload, the back button and a shared link open the same view.
 */
import { useEffect, useState } from "react";
import { navigate } from "../router";

function read(): URLSearchParams {
  return new URLSearchParams(typeof window === "undefined" ? "" : window.location.search);
}

export function useSearch(): URLSearchParams {
  const [search, setSearch] = useState(() => (typeof window === "undefined" ? "" : window.location.search));
  useEffect(() => {
    const update = () => setSearch(window.location.search);
    window.addEventListener("popstate", update);
    window.addEventListener("studio:navigate", update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener("studio:navigate", update);
    };
  }, []);
  return new URLSearchParams(search);
}

/** Open the current page with these query values (null removes one). */
export function setSearchParams(values: Record<string, string | null>, { replace = false } = {}) {
  const params = read();
  for (const [k, v] of Object.entries(values)) {
    if (v === null) params.delete(k);
    else params.set(k, v);
  }
  const query = params.toString();
  navigate(`${window.location.pathname}${query ? `?${query}` : ""}`, { replace });
}
