// Shapes of the SmartGrocer API v1, mirroring the backend's Pydantic models
// (layers/smartgrocer/python/smartgrocer/models) and the generated openapi.json.
// Money is always a decimal string with two places plus a lowercase ISO currency.

export type Money = string;
export type IsoDateTime = string;

export type Role = "shopper" | "seller" | "admin";

export interface User {
  id: string;
  email: string;
  full_name: string;
  phone?: string | null;
  role: Role;
  is_active: boolean;
  created_at: IsoDateTime;
}

export interface AuthResponse {
  user: User;
  access_token: string;
  refresh_token: string;
  token_type: "bearer";
  expires_in: number;
}

export interface SignupRequest {
  email: string;
  password: string;
  full_name: string;
  phone?: string;
  is_seller?: boolean;
}

export interface LoginRequest {
  email: string;
  password: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type CategorySlug =
  | "fruit-veg"
  | "dairy-eggs"
  | "bakery"
  | "meat-fish"
  | "pantry"
  | "drinks"
  | "frozen"
  | "snacks"
  | "household";

export interface Product {
  id: string;
  seller_id: string;
  seller_name: string;
  name: string;
  description: string;
  price: Money;
  currency: string;
  category: CategorySlug;
  stock: number;
  unit: string;
  images: string[];
  is_active: boolean;
  created_at: IsoDateTime;
  updated_at: IsoDateTime;
  /** This version of the product (the ETag header): sent back as If-Match to edit it. */
  etag: string;
}

/** `details` of a 412 `stale_product`: the product as it is now (with its new etag). */
export interface StaleProductDetails {
  current: Product;
}

export type ProductSort = "price" | "-price" | "newest" | "name";

export interface ProductQuery {
  q?: string;
  category?: string;
  min_price?: string;
  max_price?: string;
  seller_id?: string;
  sort?: ProductSort;
  limit?: number;
  cursor?: string;
}

export interface ProductCreate {
  name: string;
  description: string;
  price: Money;
  category: CategorySlug;
  stock: number;
  unit: string;
  images: string[];
}

export type ProductUpdate = Partial<ProductCreate>;

export interface Category {
  slug: CategorySlug;
  name: string;
  count: number;
}

export type ImageContentType = "image/jpeg" | "image/png" | "image/webp";

export interface ImageUploadResponse {
  upload: { url: string; fields: Record<string, string> };
  image_url: string;
  max_bytes: number;
}

export type OrderStatus =
  | "pending_payment"
  | "paid"
  | "packed"
  | "out_for_delivery"
  | "delivered"
  | "cancelled"
  | "payment_failed";

export type PaymentStatus = "unpaid" | "paid" | "failed" | "refunded";

export interface ShippingAddress {
  full_name: string;
  line1: string;
  line2?: string | null;
  city: string;
  postal_code: string;
  country: string;
  phone?: string | null;
}

export interface OrderLine {
  product_id: string;
  name: string;
  unit: string;
  unit_price: Money;
  quantity: number;
  line_total: Money;
}

export interface StatusChange {
  status: OrderStatus;
  at: IsoDateTime;
  by: string;
}

export interface Order {
  id: string;
  checkout_id: string;
  user_id: string;
  seller_id: string;
  seller_name: string;
  items: OrderLine[];
  total: Money;
  currency: string;
  status: OrderStatus;
  payment_status: PaymentStatus;
  shipping_address: ShippingAddress;
  status_history: StatusChange[];
  created_at: IsoDateTime;
  updated_at: IsoDateTime;
  /** While awaiting payment: when the unpaid checkout expires and its stock is released. */
  expires_at?: IsoDateTime | null;
  /** While awaiting payment: the last decline; the shopper can pay again on the same payment. */
  payment_error?: string | null;
  /** The statuses the caller may move this order to next, decided by the server. */
  allowed_transitions: OrderStatus[];
}

export interface BasketLineRequest {
  product_id: string;
  quantity: number;
}

export interface CheckoutRequest {
  items: BasketLineRequest[];
  shipping_address: ShippingAddress;
}

export interface PaymentInfo {
  provider: "local" | "stripe";
  client_secret: string;
  amount: Money;
  currency: string;
  publishable_key?: string | null;
}

export interface CheckoutResponse {
  checkout_id: string;
  orders: Order[];
  payment: PaymentInfo;
}

export type CheckoutStatus = "pending_payment" | "paid" | "closed";

/** GET /api/checkouts/{id}: one shopping trip as its buyer sees it. */
export interface Checkout {
  checkout_id: string;
  status: CheckoutStatus;
  amount: Money;
  currency: string;
  expires_at: IsoDateTime;
  /** The last decline, while the checkout awaits payment. */
  payment_error?: string | null;
  orders: Order[];
  /** Present while the checkout awaits payment and has not expired: how to resume the same payment. */
  payment?: PaymentInfo | null;
}

export interface SellerAnalytics {
  currency: string;
  revenue_by_day: { date: string; revenue: Money; orders: number }[];
  total_revenue: Money;
  top_products: { product_id: string; name: string; quantity: number; revenue: Money }[];
  low_stock: { product_id: string; name: string; stock: number }[];
}

export interface LocalPaymentResult {
  status: "succeeded" | "failed";
}

/** One entry of a 422 `details` list. `loc` ends in the offending field's name. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type?: string;
}

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown };
}
