import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { PageHeader } from "@/components/PageHeader";
import { PhotoUploader } from "@/components/seller/PhotoUploader";
import { ErrorState, PageLoading } from "@/components/states";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { api } from "@/lib/api";
import { errorMessage, fieldErrors } from "@/lib/api/errors";
import type { CategorySlug, Product, ProductCreate } from "@/lib/api/types";
import { CATEGORIES } from "@/lib/categories";
import { isValidPriceInput } from "@/lib/money";
import { keys, useProduct } from "@/lib/queries";

interface ProductForm {
  name: string;
  description: string;
  price: string;
  category: CategorySlug | "";
  stock: string;
  unit: string;
}

const EMPTY: ProductForm = { name: "", description: "", price: "", category: "", stock: "0", unit: "each" };

function fromProduct(product: Product): ProductForm {
  return {
    name: product.name,
    description: product.description,
    price: product.price,
    category: product.category,
    stock: String(product.stock),
    unit: product.unit,
  };
}

/** The API's ProductCreate rules, checked up front. */
export function validateProduct(form: ProductForm): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.name.trim()) errors.name = "Give the product a name.";
  else if (form.name.trim().length > 120) errors.name = "Keep the name under 120 characters.";
  if (form.description.length > 2000) errors.description = "Keep the description under 2000 characters.";
  if (!isValidPriceInput(form.price)) errors.price = "Enter a price like 3.49 (at most two decimals).";
  if (!form.category) errors.category = "Choose a category.";
  if (!/^\d+$/.test(form.stock.trim()) || Number(form.stock) > 1_000_000) errors.stock = "Enter a whole number from 0 to 1,000,000.";
  if (!/^[\w .]{1,20}$/.test(form.unit.trim())) errors.unit = "Use up to 20 letters, digits, spaces or dots, e.g. kg or 500 g.";
  return errors;
}

function toPayload(form: ProductForm): Omit<ProductCreate, "images"> {
  return {
    name: form.name.trim(),
    description: form.description.trim(),
    price: form.price.trim(),
    category: form.category as CategorySlug,
    stock: Number(form.stock.trim()),
    unit: form.unit.trim(),
  };
}

export default function SellerProductEditPage() {
  const { id } = useParams();
  const isNew = !id;
  const existing = useProduct(id);

  if (!isNew && existing.isPending) return <PageLoading label="Loading product…" />;
  if (!isNew && existing.isError) return <ErrorState error={existing.error} onRetry={() => existing.refetch()} />;
  return <ProductEditor key={id ?? "new"} product={isNew ? null : existing.data!} />;
}

function ProductEditor({ product }: { product: Product | null }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [form, setForm] = useState<ProductForm>(product ? fromProduct(product) : EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const justCreated = params.get("created") === "1";
  const photosRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (justCreated) photosRef.current?.scrollIntoView({ block: "start" });
  }, [justCreated]);

  const save = useMutation({
    mutationFn: () => (product ? api.updateProduct(product.id, toPayload(form)) : api.createProduct({ ...toPayload(form), images: [] })),
    onMutate: () => setFormError(null),
    onSuccess: (saved) => {
      queryClient.setQueryData(keys.product(saved.id), saved);
      queryClient.invalidateQueries({ queryKey: keys.allProducts });
      queryClient.invalidateQueries({ queryKey: keys.categories });
      if (product) {
        toast("Product saved", { description: saved.name });
      } else {
        toast("Product created", { description: "Now add a photo." });
        navigate(`/seller/products/${saved.id}?created=1`, { replace: true });
      }
    },
    onError: (error) => {
      const byField = fieldErrors(error);
      setErrors(byField);
      setFormError(Object.keys(byField).length ? "Please check the highlighted fields." : errorMessage(error));
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const local = validateProduct(form);
    setErrors(local);
    if (Object.keys(local).length) {
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
      return;
    }
    save.mutate();
  }

  const set = (key: keyof ProductForm) => (event: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    setForm((current) => ({ ...current, [key]: event.target.value }));

  // The photo list comes from the query cache so uploads show up immediately.
  const live = useProduct(product?.id).data ?? product;

  return (
    <div className="mx-auto max-w-3xl">
      <Link to="/seller/products" className="mb-4 inline-flex items-center gap-1 text-sm font-medium text-primary hover:underline">
        <ArrowLeft className="size-4" aria-hidden="true" /> Your products
      </Link>
      <PageHeader title={product ? `Edit ${product.name}` : "New product"} />
      {justCreated && (
        <Alert tone="success" title="Product created" className="mb-6">
          It is live in the catalog. Add a photo so shoppers can see it.
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
                <PhotoUploader product={live} />
              </CardContent>
            </Card>
          </div>
        )}
        <Card>
          <CardHeader>
            <CardTitle>Details</CardTitle>
          </CardHeader>
          <CardContent>
            <form ref={formRef} onSubmit={submit} noValidate className="grid gap-4" aria-label="Product details" data-testid="product-form">
              <Field label="Name" error={errors.name}>
                <Input name="name" value={form.name} onChange={set("name")} maxLength={120} />
              </Field>
              <Field label="Description" error={errors.description} hint="Origin, taste, how to store it…">
                <Textarea name="description" value={form.description} onChange={set("description")} maxLength={2000} rows={4} />
              </Field>
              <div className="grid gap-4 sm:grid-cols-3">
                <Field label="Price" error={errors.price} hint="e.g. 3.49">
                  <Input name="price" inputMode="decimal" value={form.price} onChange={set("price")} />
                </Field>
                <Field label="Unit" error={errors.unit} hint="each, kg, 500 g…">
                  <Input name="unit" value={form.unit} onChange={set("unit")} maxLength={20} />
                </Field>
                <Field label="Stock" error={errors.stock}>
                  <Input name="stock" inputMode="numeric" value={form.stock} onChange={set("stock")} />
                </Field>
              </div>
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
              {formError && (
                <Alert tone="error" data-testid="product-form-error">
                  {formError}
                </Alert>
              )}
              <div className="flex flex-wrap gap-2">
                <Button type="submit" loading={save.isPending} data-testid="save-product">
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
