import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Search, Users } from "lucide-react";
import { useState } from "react";
import { CommissionDialog } from "@/components/admin/CommissionDialog";
import { DeactivateDialog, HistoryDialog } from "@/components/admin/DeactivateDialog";
import { PageHeader } from "@/components/PageHeader";
import { EmptyState, ErrorState, LoadMore } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toast";
import { api } from "@/lib/api";
import { errorMessage } from "@/lib/api/errors";
import type { Seller, User } from "@/lib/api/models";
import { useAuth } from "@/lib/auth";
import { useDebouncedValue } from "@/lib/hooks";
import { formatRate } from "@/lib/payouts";
import { keys } from "@/lib/queries";
import { formatDate } from "@/lib/utils";

export default function AdminUsersPage() {
  const [search, setSearch] = useState("");
  const q = useDebouncedValue(search.trim(), 300);
  const users = useInfiniteQuery({
    queryKey: keys.adminUsers(q),
    queryFn: ({ pageParam }) => api.adminUsers({ q: q || undefined, limit: 25, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const items = users.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader title="Users" description="Find accounts and suspend the ones that break the rules." />
      <div className="relative mb-4 max-w-md" role="search">
        <label htmlFor="user-search" className="sr-only">
          Search users by name or email
        </label>
        <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden="true" />
        <Input
          id="user-search"
          type="search"
          placeholder="Search by name or email"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          className="pl-9"
          data-testid="user-search"
        />
      </div>
      {users.isPending ? (
        <div className="grid gap-2" aria-busy="true" aria-label="Loading users">
          {Array.from({ length: 5 }, (_, index) => <Skeleton key={index} className="h-14" />)}
        </div>
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => users.refetch()} title="Users could not be loaded" />
      ) : items.length === 0 ? (
        <EmptyState title="No users found" icon={<Users className="size-10" />}>
          {q ? "No account matches that search. Try part of the email address." : "Nobody has signed up yet."}
        </EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border">
            <table className="w-full min-w-[36rem] text-sm" data-testid="users-table" aria-busy={users.isPlaceholderData}>
              <caption className="sr-only">Users</caption>
              <thead className="bg-muted text-left">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">Name</th>
                  <th scope="col" className="px-4 py-2 font-medium">Role</th>
                  <th scope="col" className="px-4 py-2 font-medium">Joined</th>
                  <th scope="col" className="px-4 py-2 font-medium">Status</th>
                  <th scope="col" className="px-4 py-2 text-right font-medium">Action</th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {items.map((user) => (
                  <UserRow key={user.id} user={user} />
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore hasMore={Boolean(users.hasNextPage)} loading={users.isFetchingNextPage} onLoadMore={() => users.fetchNextPage()} />
        </>
      )}
    </>
  );
}

function UserRow({ user }: { user: User }) {
  const { user: me } = useAuth();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const update = useMutation({
    mutationFn: () => api.adminUpdateUser(user.id, { is_active: true }),
    onMutate: () => setError(null),
    onSuccess: (updated) => {
      queryClient.invalidateQueries({ queryKey: ["admin", "users"] });
      toast(updated.is_active ? "Account reactivated" : "Account deactivated", { description: updated.email });
    },
    onError: (err) => setError(errorMessage(err)),
  });
  const isSelf = me?.id === user.id;
  // The API answers a commission change with the seller's terms; the users list does not carry them.
  const [seller, setSeller] = useState<Seller | null>(null);

  return (
    <tr data-testid="user-row">
      <td className="px-4 py-3">
        <span className="font-medium">{user.full_name}</span>
        <span className="block text-muted-foreground">{user.email}</span>
        {error && (
          <span role="alert" className="block text-destructive">
            {error}
          </span>
        )}
      </td>
      <td className="px-4 py-3">
        <span className="capitalize">{user.role}</span>
        {seller && (
          <span className="block text-xs text-muted-foreground" data-testid="seller-commission">
            Commission {formatRate(seller.effective_commission_bps)}
            {seller.commission_bps === null ? " (platform)" : " (own rate)"}
          </span>
        )}
      </td>
      <td className="px-4 py-3">{formatDate(user.created_at)}</td>
      <td className="px-4 py-3">
        <Badge tone={user.is_active ? "green" : "red"}>{user.is_active ? "Active" : "Deactivated"}</Badge>
      </td>
      <td className="px-4 py-3 text-right">
        <div className="flex flex-wrap justify-end gap-2">
          {user.role === "seller" && <CommissionDialog user={user} seller={seller} onSaved={setSeller} />}
          {isSelf ? (
            <span className="text-muted-foreground">You</span>
          ) : user.is_active ? (
            <DeactivateDialog user={user} />
          ) : (
            <Button size="sm" variant="outline" loading={update.isPending} onClick={() => update.mutate()} aria-label={`Reactivate ${user.email}`}>
              Reactivate
            </Button>
          )}
          {!isSelf && <HistoryDialog user={user} />}
        </div>
      </td>
    </tr>
  );
}
