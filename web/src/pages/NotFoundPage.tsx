import { Link } from "react-router";
import { EmptyState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { useDocumentTitle } from "@/lib/hooks";

export default function NotFoundPage() {
  useDocumentTitle("Page not found");
  return (
    <EmptyState
      title="We couldn't find that page"
      headingLevel={1}
      action={
        <Button asChild>
          <Link to="/products">Browse groceries</Link>
        </Button>
      }
    >
      The link may be old or mistyped. Try the catalog instead.
    </EmptyState>
  );
}
