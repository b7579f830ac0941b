import { ShoppingBasket } from "lucide-react";
import { useState } from "react";
import { cn } from "@/lib/utils";

/** A product photo, or a neutral placeholder when there is none or it fails to load. */
export function ProductImage({ src, alt, className }: { src?: string | null; alt: string; className?: string }) {
  const [failed, setFailed] = useState(false);
  if (!src || failed) {
    return (
      <div className={cn("flex items-center justify-center bg-emerald-50 text-emerald-800", className)} role="img" aria-label={alt}>
        <ShoppingBasket className="size-1/3 max-h-16 max-w-16" aria-hidden="true" />
      </div>
    );
  }
  return (
    <img
      src={src}
      alt={alt}
      loading="lazy"
      decoding="async"
      onError={() => setFailed(true)}
      className={cn("bg-muted object-cover", className)}
    />
  );
}
