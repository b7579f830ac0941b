import { Link, useSearchParams } from "react-router";
import { withQuery } from "@/lib/search";

/**
 * "Did you mean X?" for a search that found nothing: a link to the same listing searching X instead. A page
 * that keeps the query in its own state (the catalog's search box) takes the click over with `onPick`.
 */
export function DidYouMean({ suggestion, onPick }: { suggestion: string | null | undefined; onPick?: (text: string) => void }) {
  const [params] = useSearchParams();
  if (!suggestion) return null;
  return (
    <p className="mb-2 text-base text-foreground" data-testid="did-you-mean">
      Did you mean{" "}
      <Link
        to={withQuery(params, suggestion)}
        onClick={(event) => {
          if (!onPick || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          onPick(suggestion);
        }}
        className="font-semibold text-primary underline underline-offset-4"
      >
        {suggestion}
      </Link>
      ?
    </p>
  );
}
