import { lazy } from "react";
import { createBrowserRouter, RouterProvider } from "react-router";
import { Layout } from "./components/Layout";
import { RequireAuth } from "./components/RequireAuth";
import { RouteError } from "./pages/RouteError";

// Every page is its own chunk: shoppers never download the seller dashboard (and its charts).
const HomePage = lazy(() => import("./pages/HomePage"));
const CatalogPage = lazy(() => import("./pages/CatalogPage"));
const ProductPage = lazy(() => import("./pages/ProductPage"));
const SellerPage = lazy(() => import("./pages/SellerPage"));
const BasketPage = lazy(() => import("./pages/BasketPage"));
const CheckoutPage = lazy(() => import("./pages/CheckoutPage"));
const PaymentPage = lazy(() => import("./pages/PaymentPage"));
const ConfirmationPage = lazy(() => import("./pages/ConfirmationPage"));
const MyOrdersPage = lazy(() => import("./pages/MyOrdersPage"));
const OrderPage = lazy(() => import("./pages/OrderPage"));
const LoginPage = lazy(() => import("./pages/LoginPage"));
const SignupPage = lazy(() => import("./pages/SignupPage"));
const ForgotPasswordPage = lazy(() => import("./pages/ForgotPasswordPage"));
const ResetPasswordPage = lazy(() => import("./pages/ResetPasswordPage"));
const ChangePasswordPage = lazy(() => import("./pages/account/ChangePasswordPage"));
const NotFoundPage = lazy(() => import("./pages/NotFoundPage"));
const AccountPage = lazy(() => import("./pages/AccountPage"));
const SellerDashboardPage = lazy(() => import("./pages/seller/SellerDashboardPage"));
const SellerProductsPage = lazy(() => import("./pages/seller/SellerProductsPage"));
const SellerProductEditPage = lazy(() => import("./pages/seller/SellerProductEditPage"));
const SellerOrdersPage = lazy(() => import("./pages/seller/SellerOrdersPage"));
const SellerPackPage = lazy(() => import("./pages/seller/SellerPackPage"));
const SellerPayoutsPage = lazy(() => import("./pages/seller/SellerPayoutsPage"));
const SellerFulfilmentPage = lazy(() => import("./pages/seller/SellerFulfilmentPage"));
const SellerPackingListPage = lazy(() => import("./pages/seller/SellerPackingListPage"));
const AdminUsersPage = lazy(() => import("./pages/admin/AdminUsersPage"));
const AdminOrderLookupPage = lazy(() => import("./pages/admin/AdminOrderLookupPage"));
const AdminFinancePage = lazy(() => import("./pages/admin/AdminFinancePage"));

export const routes = [
  {
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <HomePage /> },
      { path: "products", element: <CatalogPage /> },
      { path: "products/:id", element: <ProductPage /> },
      { path: "sellers/:id", element: <SellerPage /> },
      { path: "basket", element: <BasketPage /> },
      { path: "login", element: <LoginPage /> },
      { path: "signup", element: <SignupPage /> },
      { path: "forgot-password", element: <ForgotPasswordPage /> },
      { path: "reset-password", element: <ResetPasswordPage /> },
      { path: "account/password", element: <RequireAuth><ChangePasswordPage /></RequireAuth> },
      { path: "checkout", element: <RequireAuth><CheckoutPage /></RequireAuth> },
      { path: "checkout/pay/:checkoutId", element: <RequireAuth><PaymentPage /></RequireAuth> },
      { path: "checkout/complete", element: <RequireAuth><ConfirmationPage /></RequireAuth> },
      { path: "orders", element: <RequireAuth><MyOrdersPage /></RequireAuth> },
      { path: "account", element: <RequireAuth><AccountPage /></RequireAuth> },
      { path: "orders/:id", element: <RequireAuth><OrderPage /></RequireAuth> },
      { path: "seller", element: <RequireAuth roles={["seller"]}><SellerDashboardPage /></RequireAuth> },
      { path: "seller/products", element: <RequireAuth roles={["seller"]}><SellerProductsPage /></RequireAuth> },
      { path: "seller/products/new", element: <RequireAuth roles={["seller"]}><SellerProductEditPage /></RequireAuth> },
      { path: "seller/products/:id", element: <RequireAuth roles={["seller"]}><SellerProductEditPage /></RequireAuth> },
      { path: "seller/orders", element: <RequireAuth roles={["seller"]}><SellerOrdersPage /></RequireAuth> },
      { path: "seller/payouts", element: <RequireAuth roles={["seller"]}><SellerPayoutsPage /></RequireAuth> },
      { path: "seller/fulfilment", element: <RequireAuth roles={["seller"]}><SellerFulfilmentPage /></RequireAuth> },
      { path: "seller/packing-list/:slotId", element: <RequireAuth roles={["seller"]}><SellerPackingListPage /></RequireAuth> },
      { path: "seller/orders/:id/pack", element: <RequireAuth roles={["seller", "admin"]}><SellerPackPage /></RequireAuth> },
      { path: "admin", element: <RequireAuth roles={["admin"]}><AdminUsersPage /></RequireAuth> },
      { path: "admin/orders", element: <RequireAuth roles={["admin"]}><AdminOrderLookupPage /></RequireAuth> },
      { path: "admin/finance", element: <RequireAuth roles={["admin"]}><AdminFinancePage /></RequireAuth> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];

const router = createBrowserRouter(routes);

export function App() {
  return <RouterProvider router={router} />;
}
