import type { ReactNode } from "react";

/** A message box: an error (role=alert) or a notice (role=status), dismissable when given onDismiss. */
export function Alert({
  kind,
  className,
  onDismiss,
  children,
}: {
  kind: "error" | "info";
  className?: string;
  onDismiss?: () => void;
  children: ReactNode;
}) {
  return (
    <div className={`alert alert-${kind}${className ? ` ${className}` : ""}`} role={kind === "error" ? "alert" : "status"}>
      {children}
      {onDismiss && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={onDismiss} aria-label="Dismiss">
          ✕
        </button>
      )}
    </div>
  );
}
