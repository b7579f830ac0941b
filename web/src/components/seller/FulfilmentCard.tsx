import { CalendarClock } from "lucide-react";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { windowsPerWeek } from "@/lib/fulfilmentSettings";
import { useSellerFulfilment } from "@/lib/queries";

/** The dashboard's "Delivery & pickup" card: not set up, or how many windows a week. */
export function FulfilmentCard() {
  const settings = useSellerFulfilment();
  if (settings.isPending) return <Skeleton className="h-20" />;
  const count = windowsPerWeek(settings.data);
  const configured = Boolean(settings.data?.configured);
  const methods = settings.data
    ? [settings.data.delivery.enabled && "delivery", settings.data.pickup.enabled && "pickup"].filter(Boolean).join(" and ")
    : "";
  return (
    <Card data-testid="fulfilment-card" data-configured={configured}>
      <CardContent className="flex flex-wrap items-center justify-between gap-3 pt-5">
        <div className="flex items-center gap-3">
          <CalendarClock className="size-6 text-primary" aria-hidden="true" />
          <div>
            <p className="font-semibold">
              Delivery &amp; pickup:{" "}
              <span data-testid="fulfilment-summary">
                {settings.isError ? "could not be loaded" : configured ? `${count} window${count === 1 ? "" : "s"} a week` : "not set up"}
              </span>
            </p>
            <p className="text-sm text-muted-foreground">
              {configured ? `Shoppers choose a ${methods} window at checkout.` : "Shoppers see that you arrange delivery yourself. Set up windows so they choose a time."}
            </p>
          </div>
        </div>
        <Button asChild variant={configured ? "outline" : "default"}>
          <Link to="/seller/fulfilment">{configured ? "Edit windows" : "Set up windows"}</Link>
        </Button>
      </CardContent>
    </Card>
  );
}
