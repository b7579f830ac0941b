import { useRouteError } from "react-router";
import { Button } from "@/components/ui/button";

/** Last-resort boundary, e.g. a chunk that failed to load after a deploy. */
export function RouteError() {
  const error = useRouteError();
  const chunkFailed = error instanceof Error && /dynamically imported module|Importing a module script failed/i.test(error.message);
  return (
    <div className="mx-auto grid max-w-lg gap-4 px-4 py-16 text-center" role="alert">
      <h1 className="text-2xl font-bold">Something went wrong</h1>
      <p className="text-muted-foreground">
        {chunkFailed
          ? "A new version of SmartGrocer is available. Reload the page to continue."
          : "This page hit an unexpected error. Reloading usually helps."}
      </p>
      <div className="flex justify-center gap-2">
        <Button onClick={() => window.location.reload()}>Reload</Button>
        <Button asChild variant="outline">
          <a href="/">Home</a>
        </Button>
      </div>
    </div>
  );
}
