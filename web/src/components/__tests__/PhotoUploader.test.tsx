import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { sessionStore } from "@/lib/api";
import { makeProduct, mockFetch, renderRoute } from "@/test/utils";
import { PhotoUploader } from "../seller/PhotoUploader";

/** Stands in for the browser's XHR: records the multipart POST and reports progress. */
class FakeXhr {
  static sent: { url: string; form: FormData }[] = [];
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  status = 0;
  responseText = "";
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  private url = "";
  open(_method: string, url: string) {
    this.url = url;
  }
  abort() {}
  send(form: FormData) {
    FakeXhr.sent.push({ url: this.url, form });
    setTimeout(() => {
      this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
      this.status = 204;
      this.onload?.();
    }, 10);
  }
}

const seller = { id: "s1", email: "s@x.test", full_name: "Farm", role: "seller" as const, is_active: true, created_at: "", phone: null };

describe("PhotoUploader", () => {
  beforeEach(() => {
    FakeXhr.sent = [];
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: () => "blob:preview", revokeObjectURL: () => {} }));
    sessionStore.set({ accessToken: "a", user: seller });
  });

  it("presigns, posts the fields then the file to S3, and saves the image URL on the product", async () => {
    const product = makeProduct({ id: "p1", images: ["https://img/old.png"] });
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      {
        method: "POST",
        path: "/api/products/p1/images",
        body: { upload: { url: "https://s3.local/bucket", fields: { key: "products/p1/new.png", policy: "pol" } }, image_url: "https://img/new.png", max_bytes: 5_000_000 },
      },
      { method: "PUT", path: "/api/products/p1", body: { ...product, images: ["https://img/old.png", "https://img/new.png"] } },
    ]);
    renderRoute(<PhotoUploader product={product} />);
    const file = new File([new Uint8Array(1234)], "cake.png", { type: "image/png" });
    await userEvent.upload(screen.getByLabelText("Choose a photo"), file);

    await waitFor(() => expect(calls.some((call) => call.method === "PUT")).toBe(true));
    const presign = calls.find((call) => call.url.pathname === "/api/products/p1/images")!;
    expect(presign.body).toEqual({ content_type: "image/png", size: 1234 });

    const [{ url, form }] = FakeXhr.sent;
    expect(url).toBe("https://s3.local/bucket");
    expect([...form.keys()]).toEqual(["key", "policy", "file"]); // S3 wants the file last
    expect(form.get("file")).toBeInstanceOf(File);

    const put = calls.find((call) => call.method === "PUT")!;
    expect(put.body).toEqual({ images: ["https://img/old.png", "https://img/new.png"] });
    expect(put.headers.get("If-Match")).toBe(product.etag);
  });

  it("recomputes the photo list from the current product when the product changed meanwhile", async () => {
    const product = makeProduct({ id: "p1", images: ["https://img/old.png"], etag: '"r1.s20"' });
    const current = makeProduct({ id: "p1", images: ["https://img/old.png", "https://img/other-tab.png"], stock: 17, etag: '"r3.s17"' });
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      {
        method: "POST",
        path: "/api/products/p1/images",
        body: { upload: { url: "https://s3.local/bucket", fields: { key: "products/p1/new.png" } }, image_url: "https://img/new.png", max_bytes: 5_000_000 },
      },
      {
        method: "PUT",
        path: "/api/products/p1",
        replies: [
          { status: 412, body: { error: { code: "stale_product", message: "changed", details: { current } } } },
          { body: { ...current, images: [...current.images, "https://img/new.png"], etag: '"r4.s17"' } },
        ],
      },
    ]);
    renderRoute(<PhotoUploader product={product} />);
    await userEvent.upload(screen.getByLabelText("Choose a photo"), new File([new Uint8Array(10)], "a.png", { type: "image/png" }));

    await waitFor(() => expect(calls.filter((call) => call.method === "PUT")).toHaveLength(2));
    const [first, second] = calls.filter((call) => call.method === "PUT");
    expect(first.headers.get("If-Match")).toBe('"r1.s20"');
    expect(second.headers.get("If-Match")).toBe('"r3.s17"');
    expect(second.body).toEqual({ images: ["https://img/old.png", "https://img/other-tab.png", "https://img/new.png"] });
  });

  it("refuses unsupported files without contacting the API", async () => {
    const { calls } = mockFetch([{ path: "/api/auth/me", body: seller }]);
    renderRoute(<PhotoUploader product={makeProduct()} />);
    const input = screen.getByLabelText("Choose a photo");
    await userEvent.upload(input, new File(["GIF89a"], "anim.gif", { type: "image/gif" }), { applyAccept: false });
    expect(await screen.findByTestId("upload-error")).toHaveTextContent("JPEG, PNG or WebP");
    expect(calls.filter((call) => call.method === "POST")).toEqual([]);
  });
});
