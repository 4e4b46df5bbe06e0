/** The studio's top bar: brand, sections, an optional centre (project name and tabs), the user. */
import type { ReactNode } from "react";
import { getCookie } from "../api/client";
import { linkClick } from "../router";

interface Props {
  user: string;
  section?: "projects" | "datasets" | null;
  children?: ReactNode;
}

export function AppHeader({ user, section = null, children }: Props) {
  return (
    <header className="app-header">
      <a className="brand" href="/" onClick={linkClick} aria-label="Keras Studio, all projects">
        <Logo />
        <span>Keras Studio</span>
      </a>
      <nav className="app-nav" aria-label="Sections">
        <a href="/" onClick={linkClick} aria-current={section === "projects" ? "page" : undefined}>
          Projects
        </a>
        <a href="/datasets/" onClick={linkClick} aria-current={section === "datasets" ? "page" : undefined}>
          Datasets
        </a>
      </nav>
      <div className="app-header-centre">{children}</div>
      <form className="user-menu" method="post" action="/accounts/logout/">
        <input type="hidden" name="csrfmiddlewaretoken" value={getCookie("csrftoken")} />
        <span className="user-name" title="Signed in">
          <span className="avatar" aria-hidden="true">
            {(user || "?").slice(0, 1).toUpperCase()}
          </span>
          {user}
        </span>
        <button type="submit" className="btn btn-ghost btn-sm">
          Sign out
        </button>
      </form>
    </header>
  );
}

export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="var(--accent)" />
      <circle cx="9" cy="10" r="3" fill="#fff" />
      <circle cx="9" cy="22" r="3" fill="#fff" />
      <circle cx="23" cy="16" r="3.4" fill="#fff" />
      <path d="M11.5 11.2 20.4 15M11.5 20.8 20.4 17" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}
