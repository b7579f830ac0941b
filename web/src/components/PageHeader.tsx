import { useEffect, useRef, type ReactNode } from "react";
import { useDocumentTitle } from "@/lib/hooks";

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  useDocumentTitle(title);
  const heading = useRef<HTMLHeadingElement>(null);
  // After a navigation the layout parks focus on <main>; the page's heading takes it from there, so a
  // screen reader announces the new page (or checkout step) by its title. Focus placed anywhere else
  // (an autofocused field, a dialog) is left alone.
  useEffect(() => {
    if (document.activeElement?.id === "main") heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-3">
      <div className="grid gap-1">
        <h1 ref={heading} tabIndex={-1} className="text-2xl font-bold tracking-tight outline-none sm:text-3xl">
          {title}
        </h1>
        {description && <p className="text-muted-foreground">{description}</p>}
      </div>
      {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
    </div>
  );
}
