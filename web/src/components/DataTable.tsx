// The admin center's table: a Fluent table in a scrolling frame, one column
// definition per column (header and cell), an accessible name, a minimum width.
import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import type { CSSProperties, HTMLAttributes, ReactNode } from 'react';
import { useCommonStyles } from './common';

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell: (row: T, index: number) => ReactNode;
  /** Tabular figures, no wrapping (amounts, counts). */
  numeric?: boolean;
  /** Long unbreakable text (ids, usernames) may wrap anywhere. */
  wrapAnywhere?: boolean;
  className?: string;
  'data-testid'?: string;
}

export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  minWidth = 560,
  rowProps,
}: {
  label: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string;
  minWidth?: number;
  /** Extra attributes for a row (data-testid, aria-selected). */
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & { 'data-testid'?: string };
}) {
  const c = useCommonStyles();
  const cellClass = (col: Column<T>) => [col.numeric ? c.num : '', col.className ?? ''].filter(Boolean).join(' ') || undefined;
  const cellStyle = (col: Column<T>): CSSProperties | undefined => (col.wrapAnywhere ? { overflowWrap: 'anywhere' } : undefined);
  return (
    <div className={c.tableWrap}>
      <Table aria-label={label} style={{ minWidth }}>
        <TableHeader>
          <TableRow>
            {columns.map((col) => (
              <TableHeaderCell key={col.key} className={col.className}>
                {col.header}
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row, i) => (
            <TableRow key={rowKey(row, i)} {...rowProps?.(row)}>
              {columns.map((col) => (
                <TableCell key={col.key} className={cellClass(col)} style={cellStyle(col)} data-testid={col['data-testid']}>
                  {col.cell(row, i)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
