import type { ReactNode } from "react";

import { EmptyState, ErrorState, Loading, Skeleton } from "./states";

/** A cursor-paged list as the screens read it (a TanStack infinite query of the API's pages). */
export interface PagedList<T> {
  data: { pages: { items: T[] }[] } | undefined;
  isPending: boolean;
  error: unknown;
  refetch: () => unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/** Every item of the pages loaded so far, in order. */
export function listItems<T>(list: PagedList<T>): T[] {
  return list.data?.pages.flatMap((page) => page.items) ?? [];
}

/** A table's loading, error and empty states, in one place for the list screens. */
export function ListStates({
  pending,
  error,
  retry,
  empty,
  what,
  emptyTestId,
  children,
}: {
  pending: boolean;
  error: unknown;
  retry: () => void;
  empty: boolean;
  what: string;
  emptyTestId: string;
  children: ReactNode;
}) {
  if (pending)
    return (
      <Loading label={`Loading ${what}`}>
        <Skeleton height="1.6rem" />
        <Skeleton height="1.6rem" width="90%" />
        <Skeleton height="1.6rem" width="80%" />
      </Loading>
    );
  if (error) return <ErrorState error={error} onRetry={retry} title={`The ${what} could not be loaded`} />;
  if (empty) return <EmptyState title={`No ${what}`} testId={emptyTestId}>{children}</EmptyState>;
  return null;
}

/**
 * The one shape of a list screen: a header (title, the site, `actions` when given), a `toolbar`
 * (filters, a bar for chosen rows), the list's loading/error/empty states (`empty` says what to
 * do when there is nothing), the table of every page loaded (`columns` heads it, `row` draws an
 * item as a `<tr>` with its key), and a button for the next page labelled `more`; `children`
 * follow it (dialogs).
 */
export function ListPage<T>({
  className,
  title,
  subtitle,
  actions,
  toolbar,
  list,
  what,
  empty,
  emptyTestId,
  tableTestId,
  caption,
  columns,
  row,
  more,
  children,
}: {
  className: string;
  title: string;
  subtitle: ReactNode;
  actions?: ReactNode;
  toolbar?: ReactNode;
  list: PagedList<T>;
  what: string;
  empty: ReactNode;
  emptyTestId: string;
  tableTestId: string;
  caption: ReactNode;
  columns: ReactNode;
  row: (item: T) => ReactNode;
  more: string;
  children?: ReactNode;
}) {
  const items = listItems(list);
  return (
    <div className={className}>
      <div className="page-header">
        <h1>{title}</h1>
        <span className="muted">{subtitle}</span>
        {actions !== undefined && <div className="page-actions">{actions}</div>}
      </div>
      {toolbar}
      <ListStates pending={list.isPending} error={list.error} retry={() => void list.refetch()} empty={items.length === 0} what={what} emptyTestId={emptyTestId}>
        {empty}
      </ListStates>
      {items.length > 0 && (
        <div className="table-scroll">
          <table className="grid compact" data-testid={tableTestId}>
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>{columns}</tr>
            </thead>
            <tbody>{items.map(row)}</tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <button type="button" className="button" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {list.isFetchingNextPage ? "Loading…" : more}
        </button>
      )}
      {children}
    </div>
  );
}
