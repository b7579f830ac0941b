// The SPA's names for the API's own types. Nothing here is a shape of its own: every type is taken
// from `openapi.gen.ts`, which `npm run gen:api` generates from ../openapi.json (and a test keeps
// current), so a change to a response or request schema reaches every use through the compiler.
// Money is a decimal string with two places plus a lowercase ISO currency.
import type { components, operations } from "./openapi.gen";

type Schemas = components["schemas"];
type QueryOf<Name extends keyof operations> = NonNullable<operations[Name]["parameters"]["query"]>;

export type User = Schemas["UserOut"];
export type Role = User["role"];
export type AuthResponse = Schemas["AuthResponse"];
export type SignupRequest = Schemas["SignupRequest"];
export type LoginRequest = Schemas["LoginRequest"];
export type PasswordResetConfirm = Schemas["PasswordResetConfirm"];
export type PasswordChangeRequest = Schemas["PasswordChangeRequest"];
export type AuditEntry = Schemas["AuditEntryOut"];

/** PATCH /api/me: name and/or phone (null or "" clears the phone). */
export type ProfileUpdate = Schemas["ProfileUpdate"];
/** GET /api/me/addresses: the saved addresses, the default first. */
export type AddressBook = Schemas["AddressBookOut"];
/** One saved address, with its `etag` (send it as If-Match to edit) and its lines as its country writes them. */
export type SavedAddress = Schemas["SavedAddressOut"];
/** PUT /api/me/addresses/{id}: the address as a whole. */
export type SavedAddressIn = Schemas["SavedAddressIn"];
/** POST /api/me/addresses: an address, optionally made the default. */
export type SavedAddressCreate = Schemas["SavedAddressCreate"];

export type Product = Schemas["ProductOut"];
export type CategorySlug = Schemas["Category"];
export type ProductQuery = QueryOf<"products_list">;
export type MyProductQuery = QueryOf<"seller_products">;
export type ProductSort = NonNullable<ProductQuery["sort"]>;
export type ProductCreate = Schemas["ProductCreate"];
export type ProductUpdate = Schemas["ProductUpdate"];
export type Category = Schemas["CategoryOut"];
export type ImageUploadRequest = Schemas["ImageUploadRequest"];
export type ImageContentType = ImageUploadRequest["content_type"];
export type ImageUploadResponse = Schemas["ImageUploadResponse"];

export type Order = Schemas["OrderOut"];
export type OrderStatus = Order["status"];
export type PaymentStatus = Order["payment_status"];
export type OrderLine = Schemas["OrderLineOut"];
export type OrderSubstitute = Schemas["SubstituteOut"];
export type UnitPrice = Schemas["UnitPriceOut"];
/** POST /api/orders/{id}/pack: what the seller packed, line by line. */
export type PackRequest = Schemas["PackRequest"];
export type PackLine = Schemas["PackLine"];
export type SubstituteRequest = Schemas["SubstituteRequest"];
export type StatusChange = Schemas["StatusChange"];
/** An address as an order carries it back. */
export type OrderAddress = Schemas["AddressOut"];
/** An address as checkout takes it. */
export type ShippingAddress = Schemas["ShippingAddress"];
export type OrdersQuery = QueryOf<"orders_mine">;
export type SellerOrdersQuery = QueryOf<"seller_orders">;
/** GET /api/seller/orders: a page of the seller's orders; the first page counts them per status. */
export type SellerOrdersPage = Schemas["SellerOrdersPage"];
export type SellerOrderCounts = Schemas["SellerOrderCountsOut"];

export type CheckoutRequest = Schemas["CheckoutRequest"];
/** One basket line of a checkout: `quantity` (sold by the unit) or `weight_g` (sold by weight), and `substitution`. */
export type CheckoutItem = Schemas["BasketLine"];
export type CheckoutResponse = Schemas["CheckoutResponse"];
export type PaymentInfo = Schemas["PaymentInfo"];
/** GET /api/checkouts/{id}: one shopping trip as its buyer sees it. */
export type Checkout = Schemas["CheckoutOut"];
export type CheckoutStatus = Checkout["status"];

export type SellerAnalytics = Schemas["SellerAnalytics"];

// ---- delivery and pickup windows ----------------------------------------------------------------
/** GET /api/seller/fulfilment: the seller's settings (`configured: false` for the empty form). */
export type FulfilmentSettings = Schemas["FulfilmentSettingsOut"];
/** PUT /api/seller/fulfilment: the settings as a whole (a method turned off may be `{enabled: false}`). */
export type FulfilmentSettingsIn = Schemas["FulfilmentSettingsIn"];
/** A weekly rule: weekday 0 (Monday) to 6, start and end "HH:MM", capacity in orders. */
export type SlotRule = Schemas["SlotIn"];
export type FulfilmentMethod = Schemas["FulfilmentChoice"]["method"];
/** One seller's entry of the checkout's `fulfilment`. */
export type FulfilmentChoice = Schemas["FulfilmentChoice"];
/** GET /api/sellers/{id}/slots: a seller's open windows and terms. */
export type SellerSlots = Schemas["SellerSlotsOut"];
export type DeliveryWindow = Schemas["WindowOut"];
export type DeliveryTerms = Schemas["DeliveryTermsOut"];
export type PickupTerms = Schemas["PickupTermsOut"];
/** The window an order was placed for. */
export type OrderFulfilment = Schemas["OrderFulfilmentOut"];
/** GET /api/seller/packing-list: one window's orders and lines summed by product. */
export type PackingList = Schemas["PackingListOut"];
export type PackingOrder = Schemas["PackingOrderOut"];
export type PackingProduct = Schemas["PackingProductOut"];

/** POST /api/orders/{id}/refunds: how much to give back and why (the shopper sees the reason). */
export type RefundRequest = Schemas["RefundRequest"];
export type Refund = Schemas["RefundOut"];
/** What an order pays its seller (seller and admins only). */
export type Payout = Schemas["PayoutOut"];
export type PayoutStatus = Payout["status"];
/** GET /api/seller/payouts: one page of the seller's payouts, with totals over all of them. */
export type SellerPayouts = Schemas["SellerPayouts"];
export type PayoutRow = Schemas["PayoutRow"];
export type PayoutTotals = Schemas["PayoutTotals"];
export type SellerPayoutsQuery = QueryOf<"seller_payouts">;
/** GET /api/seller/payouts/account: none (not set up), pending (being checked) or active. */
export type PayoutAccount = Schemas["PayoutAccountOut"];
export type PayoutAccountStatus = PayoutAccount["status"];
export type OnboardingLink = Schemas["OnboardingLinkOut"];
/** PATCH /api/admin/sellers/{id}: the seller's own commission, or null for the platform's rate. */
export type SellerCommissionRequest = Schemas["SellerCommissionRequest"];
export type Seller = Schemas["SellerOut"];
/** GET /api/sellers/{id}: a seller's public page (sellers who can sell only). */
export type SellerPublic = Schemas["SellerPublicOut"];
/** GET/PUT /api/seller/profile: the signed-in seller's about text, and whether shoppers see their page. */
export type SellerProfile = Schemas["SellerProfileOut"];
/** GET /api/admin/finance: money by day. */
export type FinanceReport = Schemas["FinanceReport"];
export type FinanceDay = Schemas["FinanceDay"];

export type UsersQuery = QueryOf<"admin_users_list">;
export type UserUpdate = Schemas["UserUpdateRequest"];

/** The body of every error answer: `{error: {code, message, details}}`. */
export type ErrorBody = Schemas["ErrorBody"];
/** One entry of a 422 `details` list. `loc` ends in the offending field's name. */
export type ValidationIssue = Schemas["ValidationIssue"];

/** `details` of a 422 `invalid_packing`: one message per packing line that does not fit the order. */
export interface PackingProblem {
  line_id: string;
  message: string;
}

/** `details` of a 422 `refund_too_large`: what is left to refund, in cents. */
export interface RefundTooLargeDetails {
  refundable_cents: number;
  requested_cents?: number;
}

/** One problem of a 422 `invalid_fulfilment`: `field` as the API names it (`delivery.slots.2.end`). */
export interface FulfilmentProblem {
  field: string;
  message: string;
}

/** One entry of the `details` of a 409 `seller_not_payable` at checkout. */
export interface UnpayableSeller {
  seller_id: string;
  seller_name: string;
}

/** `details` of a 412 `stale_product`: the product as it is now (with its new etag). */
export interface StaleProductDetails {
  current: Product;
}

/** `details` of a 412 `stale_address`: the address as it is now (with its new etag). */
export interface StaleAddressDetails {
  current: SavedAddress;
}
