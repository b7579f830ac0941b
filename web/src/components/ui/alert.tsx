import { AlertCircle, CheckCircle2, Info } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "@/lib/utils";

const tones = {
  error: { box: "border-red-300 bg-red-50 text-red-900", Icon: AlertCircle },
  success: { box: "border-green-300 bg-green-50 text-green-900", Icon: CheckCircle2 },
  info: { box: "border-slate-300 bg-slate-50 text-slate-900", Icon: Info },
  warning: { box: "border-amber-300 bg-amber-50 text-amber-900", Icon: AlertCircle },
};

interface AlertProps {
  tone?: keyof typeof tones;
  title?: ReactNode;
  children?: ReactNode;
  className?: string;
  action?: ReactNode;
  "data-testid"?: string;
}

/** Errors are announced immediately (role=alert); other tones politely (role=status). */
export function Alert({ tone = "info", title, children, className, action, ...rest }: AlertProps) {
  const { box, Icon } = tones[tone];
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={cn("flex gap-3 rounded-md border p-4 text-sm", box, className)}
      data-testid={rest["data-testid"]}
    >
      <Icon className="mt-0.5 size-5 shrink-0" aria-hidden="true" />
      <div className="grid flex-1 gap-1">
        {title && <p className="font-semibold">{title}</p>}
        {children && <div>{children}</div>}
        {action && <div className="mt-2">{action}</div>}
      </div>
    </div>
  );
}
