import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sessionStore } from "@/lib/api";
import { makeProduct, mockFetch, renderRoute } from "@/test/utils";
import { PhotoUploader, UNDO_MS } from "../seller/PhotoUploader";

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
    await userEvent.upload(screen.getByLabelText("Choose photos"), file);

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
    await userEvent.upload(screen.getByLabelText("Choose photos"), new File([new Uint8Array(10)], "a.png", { type: "image/png" }));

    await waitFor(() => expect(calls.filter((call) => call.method === "PUT")).toHaveLength(2));
    const [first, second] = calls.filter((call) => call.method === "PUT");
    expect(first.headers.get("If-Match")).toBe('"r1.s20"');
    expect(second.headers.get("If-Match")).toBe('"r3.s17"');
    expect(second.body).toEqual({ images: ["https://img/old.png", "https://img/other-tab.png", "https://img/new.png"] });
  });

  it("refuses unsupported files without contacting the API", async () => {
    const { calls } = mockFetch([{ path: "/api/auth/me", body: seller }]);
    renderRoute(<PhotoUploader product={makeProduct()} />);
    const input = screen.getByLabelText("Choose photos");
    await userEvent.upload(input, new File(["GIF89a"], "anim.gif", { type: "image/gif" }), { applyAccept: false });
    expect(await screen.findByTestId("photo-upload-error")).toHaveTextContent("anim.gif was not added: Choose a JPEG, PNG or WebP image.");
    expect(calls.filter((call) => call.method === "POST")).toEqual([]);
  });

  it("uploads the photos picked while creating, one by one, and says per photo what failed", async () => {
    const product = makeProduct({ id: "p1", images: [] });
    const withFirst = { ...product, images: ["https://img/one.png"], etag: '"r2.s10"' };
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      {
        method: "POST",
        path: "/api/products/p1/images",
        replies: [
          { body: { upload: { url: "https://s3.local/bucket", fields: { key: "products/p1/one.png" } }, image_url: "https://img/one.png", max_bytes: 5_000_000 } },
          { body: { upload: { url: "https://s3.local/bucket", fields: { key: "products/p1/two.png" } }, image_url: "https://img/two.png", max_bytes: 5_000_000 } },
        ],
      },
      {
        method: "PUT",
        path: "/api/products/p1",
        replies: [
          { body: withFirst },
          { status: 422, body: { error: { code: "invalid_image", message: "That file is a GIF, whatever its name says. Photos must be JPEG, PNG or WebP images.", details: [] } } },
        ],
      },
    ]);
    const files = [new File([new Uint8Array(10)], "one.png", { type: "image/png" }), new File([new Uint8Array(10)], "two.png", { type: "image/png" })];
    renderRoute(<PhotoUploader product={product} initialFiles={files} />);

    const failed = await screen.findByTestId("photo-upload-error");
    expect(failed).toHaveTextContent("two.png was not added: That file is a GIF, whatever its name says.");
    const puts = calls.filter((call) => call.method === "PUT");
    expect(puts.map((call) => call.body)).toEqual([{ images: ["https://img/one.png"] }, { images: ["https://img/one.png", "https://img/two.png"] }]);
    expect(screen.getAllByTestId("photo-upload")).toHaveLength(1); // the one that failed stays, with its reason
  });
});

describe("removing a photo", () => {
  beforeEach(() => {
    sessionStore.set({ accessToken: "a", user: seller });
  });
  afterEach(() => vi.useRealTimers());

  it("hides it with Undo; Undo brings it back and nothing is saved", async () => {
    const product = makeProduct({ id: "p1", images: ["https://img/a.png", "https://img/b.png"] });
    const { calls } = mockFetch([{ path: "/api/auth/me", body: seller }]);
    renderRoute(<PhotoUploader product={product} />);
    const remove = await screen.findByRole("button", { name: "Remove photo 2" });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] }); // the undo clock: moved by hand below
    fireEvent.click(remove);

    expect(screen.getByTestId("photo-removed")).toHaveTextContent("Photo removed");
    expect(screen.getAllByTestId("product-photo")).toHaveLength(1);
    fireEvent.click(screen.getByTestId("undo-remove-photo"));
    expect(screen.getAllByTestId("product-photo")).toHaveLength(2);
    expect(screen.queryByTestId("photo-removed")).not.toBeInTheDocument();
    act(() => vi.advanceTimersByTime(UNDO_MS * 2));
    expect(calls.filter((call) => call.method === "PUT")).toEqual([]);
  });

  it("saves the removal once the undo time is over", async () => {
    const product = makeProduct({ id: "p1", images: ["https://img/a.png", "https://img/b.png"] });
    const { calls } = mockFetch([
      { path: "/api/auth/me", body: seller },
      { method: "PUT", path: "/api/products/p1", body: { ...product, images: ["https://img/a.png"], etag: '"r2.s10"' } },
    ]);
    renderRoute(<PhotoUploader product={product} />);
    const remove = await screen.findByRole("button", { name: "Remove photo 2" });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] }); // the undo clock: moved by hand below
    fireEvent.click(remove);
    act(() => vi.advanceTimersByTime(UNDO_MS - 1));
    expect(calls.filter((call) => call.method === "PUT")).toEqual([]);
    act(() => vi.advanceTimersByTime(1));
    await vi.waitFor(() => expect(calls.filter((call) => call.method === "PUT")).toHaveLength(1));
    expect(calls.find((call) => call.method === "PUT")!.body).toEqual({ images: ["https://img/a.png"] });
    await vi.waitFor(() => expect(screen.queryByTestId("photo-removed")).not.toBeInTheDocument());
  });
});
