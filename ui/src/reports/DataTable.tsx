// A report table: sortable columns (click a header), cells shown exactly (big numbers kept),
// dates in UTC, and rows virtualized past VIRTUALIZE_AFTER so long page-cache lists stay smooth.
import { Table, Text, UnstyledButton } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type CSSProperties, type ReactNode, useMemo, useRef, useState } from "react";
import { displayDate, displayValue, type Row, type SortDirection, sortRows } from "./payload";

export interface Column {
  key: string;
  label: string;
  numeric?: boolean;
  date?: boolean;
  render?: (row: Row) => ReactNode;
}

export const VIRTUALIZE_AFTER = 100;
const ROW_HEIGHT = 34;

type Sort = { column: string; direction: SortDirection } | null;

function cell(row: Row, column: Column): ReactNode {
  if (column.render) return column.render(row);
  const value = row[column.key];
  return column.date ? displayDate(value) : displayValue(value);
}

function Header({
  columns,
  sort,
  onSort,
}: {
  columns: Column[];
  sort: Sort;
  onSort: (column: string) => void;
}) {
  return (
    <Table.Thead>
      <Table.Tr>
        {columns.map((column) => {
          const active = sort?.column === column.key;
          const arrow = active ? (sort?.direction === "asc" ? " ▲" : " ▼") : "";
          return (
            <Table.Th
              key={column.key}
              ta={column.numeric ? "right" : undefined}
              aria-sort={
                active ? (sort?.direction === "asc" ? "ascending" : "descending") : undefined
              }
            >
              <UnstyledButton fz="xs" fw={700} onClick={() => onSort(column.key)}>
                {column.label}
                {arrow}
              </UnstyledButton>
            </Table.Th>
          );
        })}
      </Table.Tr>
    </Table.Thead>
  );
}

function BodyRow({
  row,
  columns,
  rowTestId,
  rowAttrs,
  style,
}: {
  row: Row;
  columns: Column[];
  rowTestId?: string;
  rowAttrs?: (row: Row) => Record<string, string>;
  style?: CSSProperties;
}) {
  return (
    <Table.Tr data-testid={rowTestId} {...rowAttrs?.(row)} style={style}>
      {columns.map((column) => (
        <Table.Td
          key={column.key}
          ta={column.numeric ? "right" : undefined}
          style={column.numeric ? { fontVariantNumeric: "tabular-nums" } : undefined}
        >
          {cell(row, column)}
        </Table.Td>
      ))}
    </Table.Tr>
  );
}

export function DataTable({
  rows,
  columns,
  testId,
  rowTestId,
  rowAttrs,
  emptyText = "No rows",
  maxHeight = 420,
}: {
  rows: Row[];
  columns: Column[];
  testId: string;
  rowTestId?: string;
  rowAttrs?: (row: Row) => Record<string, string>;
  emptyText?: string;
  maxHeight?: number;
}) {
  const [sort, setSort] = useState<Sort>(null);
  const sorted = useMemo(
    () => (sort ? sortRows(rows, sort.column, sort.direction) : rows),
    [rows, sort],
  );
  const onSort = (column: string) =>
    setSort((current) =>
      current?.column !== column
        ? { column, direction: "asc" }
        : current.direction === "asc"
          ? { column, direction: "desc" }
          : null,
    );

  if (rows.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid={testId} data-rows={0}>
        {emptyText}
      </Text>
    );
  }
  if (rows.length > VIRTUALIZE_AFTER) {
    return (
      <VirtualTable
        rows={sorted}
        columns={columns}
        testId={testId}
        rowTestId={rowTestId}
        rowAttrs={rowAttrs}
        sort={sort}
        onSort={onSort}
        maxHeight={maxHeight}
      />
    );
  }
  return (
    <Table.ScrollContainer minWidth={480} maxHeight={maxHeight} type="native">
      <Table
        striped
        highlightOnHover
        stickyHeader
        verticalSpacing={6}
        fz="sm"
        data-testid={testId}
        data-rows={rows.length}
      >
        <Header columns={columns} sort={sort} onSort={onSort} />
        <Table.Tbody>
          {sorted.map((row, index) => (
            <BodyRow
              // Report rows have no guaranteed id; their position in the sorted list is stable.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              key={index}
              row={row}
              columns={columns}
              rowTestId={rowTestId}
              rowAttrs={rowAttrs}
            />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function VirtualTable({
  rows,
  columns,
  testId,
  rowTestId,
  rowAttrs,
  sort,
  onSort,
  maxHeight,
}: {
  rows: Row[];
  columns: Column[];
  testId: string;
  rowTestId?: string;
  rowAttrs?: (row: Row) => Record<string, string>;
  sort: Sort;
  onSort: (column: string) => void;
  maxHeight: number;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  return (
    <div ref={scrollRef} style={{ maxHeight, overflow: "auto" }}>
      <Table
        striped
        highlightOnHover
        stickyHeader
        verticalSpacing={6}
        fz="sm"
        miw={480}
        data-testid={testId}
        data-rows={rows.length}
        data-virtual
      >
        <Header columns={columns} sort={sort} onSort={onSort} />
        <Table.Tbody>
          {top > 0 && (
            <tr aria-hidden>
              <td colSpan={columns.length} style={{ height: top, padding: 0, border: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index];
            return row ? (
              <BodyRow
                key={item.key}
                row={row}
                columns={columns}
                rowTestId={rowTestId}
                rowAttrs={rowAttrs}
                style={{ height: ROW_HEIGHT }}
              />
            ) : null;
          })}
          {bottom > 0 && (
            <tr aria-hidden>
              <td colSpan={columns.length} style={{ height: bottom, padding: 0, border: 0 }} />
            </tr>
          )}
        </Table.Tbody>
      </Table>
    </div>
  );
}
