import type { StaleProductDetails, ValidationIssue } from "./models";

/** Any failed call: HTTP errors carry the API's `{error:{code,message,details}}`; network failures use status 0. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Seconds to wait, from Retry-After on 429/503. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, details: unknown = null, retryAfter: number | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }

  get isValidation(): boolean {
    return this.status === 422 || (this.status === 400 && Array.isArray(this.details));
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

const FRIENDLY_BY_STATUS: Record<number, string> = {
  0: "We couldn't reach SmartGrocer. Check your connection and try again.",
  401: "Please log in to continue.",
  403: "You don't have access to this.",
  404: "We couldn't find that.",
  413: "That is too large to send.",
  429: "Too many attempts. Please wait a moment and try again.",
  503: "SmartGrocer is temporarily unavailable. Please try again shortly.",
};

/** A sentence for people: the API's own message when it has one, a status-based fallback otherwise. */
export function errorMessage(error: unknown): string {
  if (isApiError(error)) {
    if (error.status === 429 && error.retryAfter) {
      return `Too many attempts. Please try again in ${formatWait(error.retryAfter)}.`;
    }
    if (error.message) return error.message;
    return FRIENDLY_BY_STATUS[error.status] ?? "Something went wrong. Please try again.";
  }
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong. Please try again.";
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

function isValidationIssue(value: unknown): value is ValidationIssue {
  return (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as ValidationIssue).loc) &&
    typeof (value as ValidationIssue).msg === "string"
  );
}

/**
 * Field errors from a 422, keyed by dotted path without the leading "body"
 * (["body","shipping_address","city"] -> "shipping_address.city"). Issues that name no field
 * are collected under "" so a form can still show them.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isApiError(error) || !Array.isArray(error.details)) return result;
  for (const issue of error.details) {
    if (!isValidationIssue(issue)) continue;
    const path = issue.loc.filter((part, index) => !(index === 0 && (part === "body" || part === "query"))).join(".");
    const message = cleanPydanticMessage(issue.msg);
    result[path] = result[path] ? `${result[path]} ${message}` : message;
  }
  return result;
}

/** Pydantic prefixes custom errors with "Value error, "; people don't need that. */
function cleanPydanticMessage(msg: string): string {
  const text = msg.replace(/^Value error,\s*/i, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The current product when a save was refused because the product changed meanwhile (412), else null. */
export function staleProduct(error: unknown): StaleProductDetails["current"] | null {
  if (!isApiError(error) || error.status !== 412 || error.code !== "stale_product") return null;
  const current = (error.details as Partial<StaleProductDetails> | null)?.current;
  return current && typeof current === "object" && typeof current.etag === "string" ? current : null;
}
