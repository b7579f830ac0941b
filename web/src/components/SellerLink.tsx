import { Link } from "react-router";
import { cn } from "@/lib/utils";

/** A seller's name linking to their public page (`/sellers/:id`), wherever "Sold by" is shown. */
export function SellerLink({ sellerId, name, className }: { sellerId: string; name: string; className?: string }) {
  return (
    <Link to={`/sellers/${encodeURIComponent(sellerId)}`} className={cn("inline-flex min-h-11 items-center hover:underline sm:min-h-0", className)} data-testid="seller-link">
      {name || "this seller"}
    </Link>
  );
}
