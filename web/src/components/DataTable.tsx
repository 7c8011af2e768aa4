// The admin center's table: a Fluent table in a scrolling frame, one column
// definition per column (header and cell), an accessible name, a minimum width,
// and optionally a first column of checkboxes that select rows.
import { Checkbox, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles } from '@fluentui/react-components';
import type { CSSProperties, Dispatch, HTMLAttributes, ReactNode, SetStateAction } from 'react';
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

/** Rows the user picks with a checkbox each; the header's checkbox picks all rows shown or, when all are, none. */
export interface RowSelection<T> {
  /** The header checkbox's accessible name. */
  allLabel: string;
  /** A row checkbox's accessible name. */
  label: (row: T) => string;
  isSelected: (row: T) => boolean;
  /** One row checked (true) or unchecked (false). */
  onSelect: (row: T, checked: boolean) => void;
  /** The header checkbox: true to select every row shown, false to unselect them. */
  onSelectAll: (checked: boolean) => void;
}

/** A copy of picked rows (by key) with one row added (checked) or taken out. */
export function toggled<T>(picked: Map<string, T>, key: string, row: T, checked: boolean): Map<string, T> {
  const m = new Map(picked);
  if (checked) m.set(key, row);
  else m.delete(key);
  return m;
}

/**
 * The selection of rows kept as a Map from a row's key to the row, so that rows
 * picked stay picked while the table's rows change (paging, a refresh).
 */
export function keyedSelection<T>(
  rows: T[],
  keyOf: (row: T) => string,
  [selected, setSelected]: [Map<string, T>, Dispatch<SetStateAction<Map<string, T>>>],
  labels: { allLabel: string; label: (row: T) => string },
): RowSelection<T> {
  return {
    ...labels,
    isSelected: (row) => selected.has(keyOf(row)),
    onSelect: (row, checked) => setSelected((cur) => toggled(cur, keyOf(row), row, checked)),
    onSelectAll: (checked) =>
      setSelected((cur) => {
        const m = new Map(cur);
        if (checked) rows.forEach((row) => m.set(keyOf(row), row));
        else rows.forEach((row) => m.delete(keyOf(row)));
        return m;
      }),
  };
}

const useStyles = makeStyles({
  checkCell: { width: '44px' },
});

function selectionColumn<T>(rows: T[], sel: RowSelection<T>, className: string): Column<T> {
  const all = rows.length > 0 && rows.every(sel.isSelected);
  const some = rows.some(sel.isSelected);
  return {
    key: 'select',
    className,
    header: <Checkbox aria-label={sel.allLabel} checked={all ? true : some ? 'mixed' : false} onChange={() => sel.onSelectAll(!all)} />,
    cell: (row) => <Checkbox aria-label={sel.label(row)} checked={sel.isSelected(row)} onChange={(_, d) => sel.onSelect(row, Boolean(d.checked))} />,
  };
}

export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  minWidth = 560,
  rowProps,
  selection,
}: {
  label: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string;
  minWidth?: number;
  /** Extra attributes for a row (data-testid, aria-selected). */
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & { 'data-testid'?: string };
  /** A first column of checkboxes that select rows. */
  selection?: RowSelection<T>;
}) {
  const c = useCommonStyles();
  const s = useStyles();
  const allColumns = selection ? [selectionColumn(rows, selection, s.checkCell), ...columns] : columns;
  const cellClass = (col: Column<T>) => [col.numeric ? c.num : '', col.className ?? ''].filter(Boolean).join(' ') || undefined;
  const cellStyle = (col: Column<T>): CSSProperties | undefined => (col.wrapAnywhere ? { overflowWrap: 'anywhere' } : undefined);
  return (
    <div className={c.tableWrap}>
      <Table aria-label={label} style={{ minWidth }}>
        <TableHeader>
          <TableRow>
            {allColumns.map((col) => (
              <TableHeaderCell key={col.key} className={col.className}>
                {col.header}
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row, i) => (
            <TableRow key={rowKey(row, i)} {...rowProps?.(row)}>
              {allColumns.map((col) => (
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
