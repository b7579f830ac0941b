import { ArrowLeft } from "lucide-react";
import { Link } from "react-router";
import { cn } from "@/lib/utils";

/** "← Where you came from": a finger-sized target on phones, a plain text link on larger screens. */
export function BackLink({ to, children, className }: { to: string; children: React.ReactNode; className?: string }) {
  return (
    <Link to={to} className={cn("inline-flex min-h-11 items-center gap-1 text-sm font-medium text-primary hover:underline sm:min-h-0", className)}>
      <ArrowLeft className="size-4" aria-hidden="true" /> {children}
    </Link>
  );
}
