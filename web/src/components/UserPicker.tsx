// A searchable list of users with a checkbox each: the first page of the
// directory that matches the search, as the people pickers of Add members
// and Assign licenses use it.
import { Checkbox, SearchBox } from '@fluentui/react-components';
import { useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import { api, EVENTUAL, type GraphUser, type ListResponse } from '../api';
import { useLoad } from '../hooks';
import { usersQuery } from '../pages/ActiveUsers';
import { ErrorBar, Loading } from './common';
import { toggled } from './DataTable';

export function UserPicker({
  label,
  searchLabel,
  chosen,
  onChange,
  unavailable,
}: {
  /** The accessible name of the list of checkboxes. */
  label: string;
  searchLabel: string;
  chosen: Map<string, GraphUser>;
  onChange: Dispatch<SetStateAction<Map<string, GraphUser>>>;
  /** Why a user cannot be picked (shown after the name, checked and disabled), or null. */
  unavailable?: (u: GraphUser) => string | null;
}) {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  useEffect(() => {
    const h = setTimeout(() => setQuery(search), 300);
    return () => clearTimeout(h);
  }, [search]);
  const users = useLoad((signal) => api.get<ListResponse<GraphUser>>(usersQuery(query), { ...EVENTUAL, signal }), [query]);
  return (
    <>
      <SearchBox aria-label={searchLabel} placeholder={searchLabel} value={search} onChange={(_, d) => setSearch(d.value)} />
      <div role="group" aria-label={label} style={{ display: 'flex', flexDirection: 'column', maxHeight: 320, overflowY: 'auto' }}>
        {users.loading ? <Loading /> : null}
        <ErrorBar message={users.error} />
        {users.data?.value.map((u) => {
          const why = unavailable?.(u) ?? null;
          return (
            <Checkbox
              key={u.id}
              disabled={why !== null}
              checked={why !== null || chosen.has(u.id)}
              label={why !== null ? `${u.displayName} (${why})` : u.displayName}
              onChange={(_, d) => onChange((cur) => toggled(cur, u.id, u, Boolean(d.checked)))}
            />
          );
        })}
      </div>
    </>
  );
}
