import { useMutation, useQueryClient } from "@tanstack/react-query";
import { RefreshCw } from "lucide-react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { PhotoPicker, PhotoUploader, type PickedPhoto } from "@/components/seller/PhotoUploader";
import { ErrorState, PageLoading } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { api } from "@/lib/api";
import { errorMessage, fieldErrors, staleProduct } from "@/lib/api/errors";
import type { CategorySlug, Product, ProductCreate } from "@/lib/api/models";
import { CATEGORIES } from "@/lib/categories";
import { formatGrams } from "@/lib/money";
import {
  changedFields,
  differences,
  EMPTY_FORM,
  fromProduct,
  rebase,
  sameEditableValues,
  FIELD_LABELS,
  type FieldDifference,
  type ProductForm,
} from "@/lib/productEdit";
import { pendingPhotos } from "@/lib/pendingPhotos";
import { keys, useSellerProduct } from "@/lib/queries";
import { cn } from "@/lib/utils";
import { BackLink } from "@/components/BackLink";
import { priceProblem, stockProblem, textLength, TEXT_LIMITS, tooLong } from "@/lib/validation";

const MAX_STEP_G = 5_000;
const MAX_MIN_WEIGHT_G = 10_000;

/** The weight rules of a product sold by weight, worded as the API words them (domain/weights.py). */
function weightProblems(minText: string, stepText: string): Record<string, string> {
  const problems: Record<string, string> = {};
  const read = (text: string) => (/^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : null);
  const step = read(stepText);
  const min = read(minText);
  for (const [field, text, value, most] of [
    ["step_g", stepText, step, MAX_STEP_G],
    ["min_weight_g", minText, min, MAX_MIN_WEIGHT_G],
  ] as const) {
    if (text.trim() === "") problems[field] = "Required for a product sold by weight.";
    else if (value === null || value < 1 || value > most) problems[field] = `Enter a whole number of grams from 1 to ${most}.`;
  }
  if (!Object.keys(problems).length && min !== null && step !== null && min % step) {
    problems.min_weight_g = `Must be a whole number of steps of ${step} g (for example ${step * Math.max(1, Math.floor(min / step))}).`;
  }
  return problems;
}

/** The API's ProductCreate rules, checked up front. */
export function validateProduct(form: ProductForm): Record<string, string> {
  const errors: Record<string, string> = {};
  const weighed = form.sold_by === "weight";
  const put = (field: string, problem: string | undefined) => {
    if (problem) errors[field] = problem;
  };
  put("name", form.name.trim() ? tooLong("Name", form.name, TEXT_LIMITS.name) : "Name is required.");
  put("description", tooLong("Description", form.description, TEXT_LIMITS.description));
  put("price", priceProblem(form.price, weighed));
  if (!form.category) errors.category = "Choose a category.";
  put("stock", stockProblem(form.stock, weighed));
  if (weighed) Object.assign(errors, weightProblems(form.min_weight_g, form.step_g));
  else if (!form.unit.trim()) errors.unit = "Unit is required, e.g. each or 500 g.";
  else put("unit", tooLong("Unit", form.unit, TEXT_LIMITS.unit) ?? (/^[\w .]+$/.test(form.unit.trim()) ? undefined : "Unit can use letters, digits, spaces and dots only, e.g. each or 500 g."));
  return errors;
}

function toPayload(form: ProductForm): Omit<ProductCreate, "images"> {
  const common = {
    name: form.name.trim(),
    description: form.description.trim(),
    price: form.price.trim(),
    category: form.category as CategorySlug,
    stock: Number(form.stock.trim()),
  };
  if (form.sold_by === "weight") {
    return { ...common, sold_by: "weight", unit: "kg", min_weight_g: Number(form.min_weight_g.trim()), step_g: Number(form.step_g.trim()) };
  }
  return { ...common, sold_by: "unit", unit: form.unit.trim() };
}

/** "20000" grams -> "= 20 kg" next to the stock field. */
function gramsHint(text: string): string | undefined {
  return /^\d{1,7}$/.test(text.trim()) ? `= ${formatGrams(Number(text.trim()))}` : undefined;
}

export default function SellerProductEditPage() {
  const { id } = useParams();
  const isNew = !id;
  // A fresh read, not the CDN-cacheable public one: the form must start from the product as it is.
  const existing = useSellerProduct(id);

  if (!isNew && existing.isPending) return <PageLoading label="Loading product…" />;
  if (!isNew && existing.isError) return <ErrorState error={existing.error} onRetry={() => existing.refetch()} />;
  return <ProductEditor key={id ?? "new"} product={isNew ? null : existing.data!} />;
}

function ProductEditor({ product }: { product: Product | null }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  // `base`: the version the form stands on (its etag is the save's If-Match). `stale`: set when a save
  // was refused because the product changed meanwhile; the form stays as typed until the seller reloads.
  const [base, setBase] = useState<Product | null>(product);
  const [stale, setStale] = useState<Product | null>(null);
  const [form, setForm] = useState<ProductForm>(product ? fromProduct(product) : EMPTY_FORM);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [reloaded, setReloaded] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const justCreated = params.get("created") === "1";
  const photosRef = useRef<HTMLDivElement>(null);
  // New product: photos picked before it exists. Edit page: those still to upload (picked on create).
  const [picked, setPicked] = useState<PickedPhoto[]>([]);
  const [toUpload] = useState<File[]>(() => (product ? pendingPhotos.peek(product.id) : []));

  useEffect(() => {
    if (justCreated) photosRef.current?.scrollIntoView({ block: "start" });
  }, [justCreated]);

  // Photos are saved by the uploader into the same cache entry. A newer version that agrees with the
  // form's base on every field the form edits (only photos moved) is safe to stand on; anything else
  // is left for the save to find out (412), so the seller sees it instead of overwriting it.
  // Adjusted while rendering: once moved, `base` has the live etag and this settles.
  const live = useSellerProduct(product?.id).data ?? product;
  if (live && base && live.etag !== base.etag && sameEditableValues(live, base)) setBase(live);

  function remember(saved: Product) {
    queryClient.setQueryData(keys.sellerProduct(saved.id), saved);
    queryClient.setQueryData(keys.product(saved.id), saved);
    queryClient.invalidateQueries({ queryKey: keys.allProducts });
  }

  const save = useMutation({
    mutationFn: () =>
      base ? api.updateProduct(base.id, changedFields(form, base), base.etag) : api.createProduct({ ...toPayload(form), images: [] }),
    onMutate: () => {
      setFormError(null);
      setReloaded(false);
    },
    onSuccess: (saved) => {
      remember(saved);
      queryClient.invalidateQueries({ queryKey: keys.categories });
      if (product) {
        setBase(saved);
        setForm(fromProduct(saved));
        toast("Product saved", { description: saved.name });
      } else {
        pendingPhotos.set(
          saved.id,
          picked.map((photo) => photo.file),
        );
        toast("Product created", { description: picked.length ? `Uploading ${picked.length} photo${picked.length === 1 ? "" : "s"}…` : "Now add a photo." });
        navigate(`/seller/products/${saved.id}?created=1`, { replace: true });
      }
    },
    onError: (error) => {
      const current = staleProduct(error);
      if (current) {
        remember(current);
        setStale(current);
        setErrors({});
        return;
      }
      const byField = fieldErrors(error);
      setErrors(byField);
      // Only fields this form shows can be highlighted; anything else is said in the form's own message.
      const highlighted = Object.keys(byField).some((field) => field in FIELD_LABELS || field === "sold_by");
      setFormError(highlighted ? "Please check the highlighted fields." : errorMessage(error));
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
    },
  });

  function reload() {
    if (!stale || !base) return;
    setForm((typed) => rebase(typed, base, stale));
    setBase(stale);
    setStale(null);
    setReloaded(true);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const local = validateProduct(form);
    setErrors(local);
    if (Object.keys(local).length) {
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      return;
    }
    if (base && Object.keys(changedFields(form, base)).length === 0) {
      toast("Nothing to save", { description: "The form matches the product." });
      return;
    }
    save.mutate();
  }

  const weighed = form.sold_by === "weight";
  const set = (key: keyof ProductForm) => (event: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    setForm((current) => ({ ...current, [key]: event.target.value }));

  return (
    <div className="mx-auto max-w-3xl">
      <BackLink to="/seller/products" className="mb-4">Your products</BackLink>
      <PageHeader title={product ? `Edit ${product.name}` : "New product"} />
      {justCreated && (
        <Alert tone="success" title="Product created" className="mb-6" data-testid="product-created">
          {live && isSoldOut(live)
            ? "It is in the catalog as out of stock: shoppers see it but can't buy it until you add stock."
            : "It is live in the catalog."}{" "}
          {live && live.images.length === 0 && toUpload.length === 0 ? "Add a photo so shoppers can see it." : ""}
        </Alert>
      )}
      {product && !product.is_active && (
        <Alert tone="warning" className="mb-6">
          This product is deactivated and hidden from shoppers.
        </Alert>
      )}
      <div className="grid gap-6">
        {live && (
          <div ref={photosRef}>
            <Card>
              <CardHeader>
                <CardTitle>Photos</CardTitle>
                <CardDescription>The first photo is shown in the catalog.</CardDescription>
              </CardHeader>
              <CardContent>
                <PhotoUploader product={live} initialFiles={toUpload} />
              </CardContent>
            </Card>
          </div>
        )}
        {!product && (
          <Card>
            <CardHeader>
              <CardTitle>Photos</CardTitle>
              <CardDescription>The first photo is shown in the catalog.</CardDescription>
            </CardHeader>
            <CardContent>
              <PhotoPicker photos={picked} onChange={setPicked} />
            </CardContent>
          </Card>
        )}
        <Card>
          <CardHeader>
            <CardTitle>Details</CardTitle>
          </CardHeader>
          <CardContent>
            <form ref={formRef} onSubmit={submit} noValidate className="grid gap-4" aria-label="Product details" data-testid="product-form">
              <Field label="Name" error={errors.name} count={{ length: textLength(form.name), max: TEXT_LIMITS.name }}>
                <Input name="name" value={form.name} onChange={set("name")} />
              </Field>
              <Field
                label="Description"
                error={errors.description}
                hint="Origin, taste, how to store it…"
                count={{ length: textLength(form.description), max: TEXT_LIMITS.description }}
              >
                <Textarea name="description" value={form.description} onChange={set("description")} rows={4} />
              </Field>
              <SoldByField
                value={form.sold_by}
                fixed={Boolean(product)}
                error={errors.sold_by}
                onChange={(soldBy) =>
                  setForm((current) => ({
                    ...current,
                    sold_by: soldBy,
                    unit: soldBy === "weight" ? "kg" : current.unit === "kg" && current.sold_by === "weight" ? "each" : current.unit,
                    min_weight_g: soldBy === "weight" && !current.min_weight_g ? "100" : current.min_weight_g,
                    step_g: soldBy === "weight" && !current.step_g ? "50" : current.step_g,
                  }))
                }
              />
              {weighed ? (
                <>
                  <div className="grid gap-4 sm:grid-cols-2">
                    <Field label="Price per kg" error={errors.price} hint="e.g. 28.50 — shoppers pay for the weight you pack">
                      <Input name="price" inputMode="decimal" value={form.price} onChange={set("price")} />
                    </Field>
                    <Field label="Stock in grams" error={errors.stock} hint={gramsHint(form.stock) ?? "e.g. 20000 for 20 kg"}>
                      <Input name="stock" inputMode="numeric" value={form.stock} onChange={set("stock")} />
                    </Field>
                  </div>
                  <div className="grid gap-4 sm:grid-cols-2">
                    <Field label="Minimum weight (g)" error={errors.min_weight_g} hint="The least a shopper can buy: a whole number of steps">
                      <Input name="min_weight_g" inputMode="numeric" value={form.min_weight_g} onChange={set("min_weight_g")} />
                    </Field>
                    <Field label="Step (g)" error={errors.step_g} hint={stepHint(form)}>
                      <Input name="step_g" inputMode="numeric" value={form.step_g} onChange={set("step_g")} />
                    </Field>
                  </div>
                </>
              ) : (
                <div className="grid gap-4 sm:grid-cols-3">
                  <Field label="Price" error={errors.price} hint="e.g. 3.49">
                    <Input name="price" inputMode="decimal" value={form.price} onChange={set("price")} />
                  </Field>
                  <Field label="Unit" error={errors.unit} hint="each, 500 g, 6 pack…">
                    <Input name="unit" value={form.unit} onChange={set("unit")} />
                  </Field>
                  <Field label="Stock" error={errors.stock} hint="Items">
                    <Input name="stock" inputMode="numeric" value={form.stock} onChange={set("stock")} />
                  </Field>
                </div>
              )}
              <Field label="Category" error={errors.category}>
                <Select name="category" value={form.category} onChange={set("category")}>
                  <option value="">Choose a category</option>
                  {CATEGORIES.map((category) => (
                    <option key={category.slug} value={category.slug}>
                      {category.name}
                    </option>
                  ))}
                </Select>
              </Field>
              {stale && base && (
                <StaleNotice message={errorMessage(save.error)} rows={differences(form, base, stale)} onReload={reload} />
              )}
              {reloaded && (
                <Alert tone="info" data-testid="product-reloaded">
                  Now showing the current values; your other changes are kept. Check them and save again.
                </Alert>
              )}
              {formError && (
                <Alert tone="error" data-testid="product-form-error">
                  {formError}
                </Alert>
              )}
              <div className="flex flex-wrap gap-2">
                <Button type="submit" loading={save.isPending} disabled={Boolean(stale)} data-testid="save-product">
                  {product ? "Save changes" : "Create product"}
                </Button>
                {product && (
                  <Button asChild variant="outline">
                    <Link to={`/products/${product.id}`}>View in shop</Link>
                  </Button>
                )}
              </div>
            </form>
          </CardContent>
        </Card>
      </div>
    </div>
  );
}

/** As the shop shows it (StockBadge): nothing to buy below one item, or below the minimum weight. */
function isSoldOut(product: Product): boolean {
  return product.sold_by === "weight" ? product.stock < (product.min_weight_g ?? 1) : product.stock <= 0;
}

/** "Shoppers choose 100 g, 150 g, 200 g…" from the minimum and the step typed. */
function stepHint(form: ProductForm): string {
  const min = Number(form.min_weight_g.trim());
  const step = Number(form.step_g.trim());
  if (!Number.isInteger(min) || !Number.isInteger(step) || min < 1 || step < 1 || min % step) return "What the weight goes up in, e.g. 50";
  return `Shoppers choose ${[min, min + step, min + 2 * step].map(formatGrams).join(", ")}…`;
}

/**
 * How the product is sold: chosen once, when it is created. After that it is shown with the reason
 * it can't change (its stock is counted in items or in grams).
 */
function SoldByField({
  value,
  fixed,
  error,
  onChange,
}: {
  value: ProductForm["sold_by"];
  fixed: boolean;
  error?: string;
  onChange: (soldBy: ProductForm["sold_by"]) => void;
}) {
  const options: { value: ProductForm["sold_by"]; label: string; hint: string }[] = [
    { value: "unit", label: "Per item or pack", hint: "A price per item or pack; stock counts items." },
    { value: "weight", label: "By weight, per kg", hint: "A price per kg; shoppers pick a weight; you pack and weigh it." },
  ];
  if (fixed) {
    return (
      <div className="grid gap-1 rounded-md border bg-muted/40 p-3 text-sm" data-testid="sold-by-fixed">
        <p>
          <span className="font-medium">Sold by:</span> {value === "weight" ? "weight (price per kg)" : "item or pack"}
        </p>
        <p className="text-xs text-muted-foreground">
          This can't be changed once the product is created: its stock is counted in {value === "weight" ? "grams" : "items"}. To sell it the other way, add
          it as a new product.
        </p>
      </div>
    );
  }
  return (
    <fieldset className="grid gap-2" aria-describedby={error ? "sold-by-error" : undefined}>
      <legend className="mb-1 text-sm font-medium">Sold by</legend>
      <div className="grid gap-2 sm:grid-cols-2">
        {options.map((option) => (
          <div
            key={option.value}
            className={cn(
              "grid gap-0.5 rounded-md border p-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
              value === option.value && "border-primary bg-green-50",
            )}
          >
            {/* The hint is described, not labelled, so the choice's name stays short ("By weight, per kg"). */}
            <label className="flex cursor-pointer items-center gap-3 font-medium">
              <input
                type="radio"
                name="sold_by"
                value={option.value}
                checked={value === option.value}
                onChange={() => onChange(option.value)}
                className="accent-primary"
                aria-describedby={`sold-by-${option.value}-hint`}
                data-testid={`sold-by-${option.value}`}
              />
              {option.label}
            </label>
            <p id={`sold-by-${option.value}-hint`} className="pl-7 text-xs text-muted-foreground">
              {option.hint}
            </p>
          </div>
        ))}
      </div>
      {error && (
        <p id="sold-by-error" className="text-sm text-destructive">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** The 412: what the seller is about to save next to what is stored now, and the way forward. */
function StaleNotice({ message, rows, onReload }: { message: string; rows: FieldDifference[]; onReload: () => void }) {
  return (
    <Alert
      tone="warning"
      title="This product changed while you were editing"
      data-testid="stale-product"
      action={
        <Button type="button" size="sm" onClick={onReload} data-testid="reload-product">
          <RefreshCw aria-hidden="true" /> Reload
        </Button>
      }
    >
      <p>{message}</p>
      {rows.length > 0 && (
        <table className="mt-3 w-full table-fixed text-left text-sm" data-testid="stale-changes">
          <colgroup>
            <col className="w-[30%]" />
            <col className="w-[35%]" />
            <col className="w-[35%]" />
          </colgroup>
          <thead>
            <tr className="border-b border-amber-300">
              <th scope="col" className="py-1 pr-3 font-medium">Field</th>
              <th scope="col" className="py-1 pr-3 font-medium">Yours</th>
              <th scope="col" className="py-1 font-medium">Now</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.field} className="border-b border-amber-200 align-top last:border-0" data-testid="stale-change" data-field={row.field}>
                <th scope="row" className="py-1 pr-3 font-medium">
                  {row.label}
                  {row.changedMeanwhile && (
                    <Badge tone="amber" className="ml-2">
                      {row.changedByYou ? "changed by both" : "changed meanwhile"}
                    </Badge>
                  )}
                </th>
                <td className="py-1 pr-3 break-words" data-testid="stale-yours">{row.yours}</td>
                <td className="py-1 break-words font-semibold" data-testid="stale-now">{row.now}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="mt-2">Reload takes the current values for what changed meanwhile and keeps your other changes.</p>
    </Alert>
  );
}
