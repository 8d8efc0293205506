import { api } from '../api/client.ts';
import { formatSource } from '../lib/format.ts';
import { useResource } from '../lib/use-resource.ts';

/** The source filter of a page: the configured sources, plus the one in the URL if it is none of them. */
export function SourceSelect({ value, onChange }: { value: string; onChange: (source: string) => void }) {
  const sources = useResource('sources', (signal) => api.listSources({ signal }));
  const names = sources.data?.items.map((item) => item.name) ?? [];
  if (value && !names.includes(value)) names.push(value);
  return (
    <label className="field">
      <span>Source</span>
      <select value={value} onChange={(ev) => onChange(ev.target.value)}>
        <option value="">All sources</option>
        {names.map((name) => (
          <option key={name} value={name}>
            {formatSource(name)}
          </option>
        ))}
      </select>
    </label>
  );
}
