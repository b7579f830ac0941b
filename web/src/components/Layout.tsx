import { LogOut, Package, Search, ShoppingBasket, User as UserIcon } from "lucide-react";
import { Suspense, useEffect, useRef, useState, type FormEvent } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigate, useSearchParams } from "react-router";
import { useAuth } from "@/lib/auth";
import { basketCount, useBasket } from "@/lib/basket";
import { cn } from "@/lib/utils";
import { PageLoading } from "./states";
import { Button } from "./ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "./ui/dropdown-menu";
import { SearchCombobox } from "./search/SearchCombobox";
import { Toaster } from "./ui/toast";
import { plural } from "@/lib/counts";

const ROLE_LINKS = {
  shopper: [
    { to: "/products", label: "Shop" },
    { to: "/orders", label: "My orders" },
  ],
  seller: [
    { to: "/seller", label: "Dashboard", end: true },
    { to: "/seller/products", label: "Products" },
    { to: "/seller/orders", label: "Orders" },
    { to: "/seller/fulfilment", label: "Delivery" },
    { to: "/seller/payouts", label: "Payouts" },
    { to: "/products", label: "Shop" },
  ],
  admin: [
    { to: "/admin", label: "Users", end: true },
    { to: "/admin/orders", label: "Find order" },
    { to: "/admin/finance", label: "Finance" },
    { to: "/products", label: "Shop" },
  ],
} as const;

export function Layout() {
  const { user } = useAuth();
  const location = useLocation();
  // Anonymous visitors only get "Shop": "My orders" would just bounce them to the login page.
  const links = user ? ROLE_LINKS[user.role] : ROLE_LINKS.shopper.slice(0, 1);

  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // On navigation: back to the top, and focus moves to the new page so screen readers announce it
  // (a SPA gets no page load to do this). Catalog filters change only the query and keep their place.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    window.scrollTo(0, 0);
    // Leave focus alone when the new page already placed it (e.g. an autofocused field).
    if (!mainRef.current?.contains(document.activeElement)) mainRef.current?.focus({ preventScroll: true });
  }, [location.pathname]);

  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only z-50 print:hidden rounded-md bg-primary px-4 py-2 text-primary-foreground focus:not-sr-only focus:absolute focus:left-2 focus:top-2"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-40 border-b bg-background/95 backdrop-blur print:hidden">
        <div className="mx-auto flex h-16 max-w-6xl items-center gap-3 px-4">
          <Link to="/" className="flex shrink-0 items-center gap-2 font-bold text-primary" aria-label="SmartGrocer home">
            <span className="flex size-8 items-center justify-center rounded-lg bg-primary text-white">
              <ShoppingBasket className="size-5" aria-hidden="true" />
            </span>
            <span className="hidden text-lg sm:inline">SmartGrocer</span>
          </Link>
          <HeaderSearch className="hidden flex-1 md:flex" />
          <nav aria-label="Main" className="ml-auto hidden items-center gap-1 lg:flex">
            {links.map((link) => (
              <NavItem key={link.to} {...link} />
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-1 lg:ml-2">
            <BasketButton />
            <AccountMenu />
          </div>
        </div>
        <div className="mx-auto flex max-w-6xl flex-col gap-2 px-4 pb-3 md:hidden">
          <HeaderSearch className="flex" />
        </div>
        <nav aria-label="Sections" className="mx-auto flex max-w-6xl gap-1 overflow-x-auto px-4 pb-2 lg:hidden">
          {links.map((link) => (
            <NavItem key={link.to} {...link} />
          ))}
        </nav>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 outline-none print:max-w-none print:p-0">
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="border-t bg-muted print:hidden">
        <div className="mx-auto max-w-6xl px-4 py-6 text-sm text-muted-foreground">
          SmartGrocer Cloud — groceries from independent sellers, one basket.
        </div>
      </footer>
      <Toaster />
    </div>
  );
}

function NavItem({ to, label, end }: { to: string; label: string; end?: boolean }) {
  return (
    <NavLink
      to={to}
      end={end}
      className={({ isActive }) =>
        cn(
          "whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium hover:bg-muted",
          isActive ? "bg-secondary text-secondary-foreground" : "text-foreground",
        )
      }
    >
      {label}
    </NavLink>
  );
}

function HeaderSearch({ className }: { className?: string }) {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const location = useLocation();
  const onCatalog = location.pathname === "/products";
  const [text, setText] = useState(onCatalog ? (params.get("q") ?? "") : "");
  // Leaving the catalog empties the box (adjusted while rendering, as the page changes).
  const [wasOnCatalog, setWasOnCatalog] = useState(onCatalog);
  if (wasOnCatalog !== onCatalog) {
    setWasOnCatalog(onCatalog);
    if (!onCatalog) setText("");
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const query = text.trim();
    navigate(query ? `/products?q=${encodeURIComponent(query)}` : "/products");
  }

  // On the catalog the page's own search box is the live one; the header box would duplicate it.
  if (onCatalog) return <div className={cn("flex-1", className, "hidden md:flex")} />;

  return (
    <form role="search" onSubmit={submit} className={cn("relative max-w-md flex-1", className)}>
      <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden="true" />
      <SearchCombobox aria-label="Search groceries" placeholder="Search groceries" value={text} onValueChange={setText} className="pl-9" />
    </form>
  );
}

function BasketButton() {
  const count = basketCount(useBasket());
  return (
    <Button asChild variant="ghost" className="relative px-3" data-testid="basket-link">
      <Link to="/basket" aria-label={`Basket, ${plural(count, "item")}`}>
        <ShoppingBasket aria-hidden="true" />
        <span className="hidden sm:inline">Basket</span>
        {count > 0 && (
          <span
            className="absolute -right-0.5 -top-0.5 flex min-w-5 items-center justify-center rounded-full bg-primary px-1 text-xs font-semibold text-white"
            data-testid="basket-count"
            aria-hidden="true"
          >
            {count}
          </span>
        )}
      </Link>
    </Button>
  );
}

function AccountMenu() {
  const { user, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();

  if (!user) {
    const next = encodeURIComponent(location.pathname + location.search);
    return (
      <div className="flex items-center gap-1">
        <Button asChild variant="ghost">
          <Link to={`/login?next=${next}`}>Log in</Link>
        </Button>
        <Button asChild className="hidden sm:inline-flex">
          <Link to="/signup">Sign up</Link>
        </Button>
      </div>
    );
  }

  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" className="px-3" aria-label={`Account menu for ${user.full_name}`} data-testid="account-menu">
          <UserIcon aria-hidden="true" />
          <span className="hidden max-w-32 truncate sm:inline">{user.full_name.split(" ")[0]}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>
          Signed in as <span className="font-medium text-foreground">{user.email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => navigate("/orders")}>
          <Package aria-hidden="true" /> My orders
        </DropdownMenuItem>
        <DropdownMenuItem
          data-testid="logout"
          onSelect={async () => {
            await logout();
            navigate("/");
          }}
        >
          <LogOut aria-hidden="true" /> Log out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
