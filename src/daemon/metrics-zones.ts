/**
 * What the metrics endpoint reads from the daemon at each scrape (issue 15
 * §3): each configured zone's gauges (serial, records, loaded at, a
 * secondary's expiry), and whether the server is ready (every zone of the
 * configuration has loaded, or failed, once).
 */
import type { Config } from '../config/index.js';
import type { ZoneGauge } from '../metrics/index.js';
import { Name } from '../wire/index.js';
import type { Zone } from '../zone/index.js';
import type { TransferService } from './transfer-service.js';
import type { ZoneRegistry } from './zone-registry.js';

/** The gauges of every zone of `config`, in its order; a zone without data has serial null. */
export function zoneGauges(config: Config, registry: ZoneRegistry, transfers: TransferService, served: (origin: Name) => Zone | null | undefined): ZoneGauge[] {
  const out: ZoneGauge[] = [];
  for (const z of config.zones) {
    let origin: Name;
    try {
      origin = Name.fromText(z.name.endsWith('.') ? z.name : `${z.name}.`);
    } catch {
      continue; // the configuration has checked it; never here
    }
    const zone = origin.toText();
    if (z.type === 'secondary') {
      const info = transfers.secondaryInfo(origin);
      const data = info !== undefined && !info.expired ? info.zone : null;
      out.push({ zone, type: 'secondary', serial: data?.serial ?? null, records: data?.recordCount ?? null, loadedAt: info?.state?.lastRefresh ?? null, expiresAt: info?.state?.expiresAt ?? null });
    } else if (z.type === 'catalog') {
      const data = served(origin) ?? null;
      out.push({ zone, type: 'catalog', serial: data?.serial ?? null, records: data?.recordCount ?? null, loadedAt: null, expiresAt: null });
    } else {
      const info = registry.info(z.name);
      const data = info?.zone ?? null;
      out.push({ zone, type: 'primary', serial: data?.serial ?? null, records: data?.recordCount ?? null, loadedAt: info?.loadedAt ?? null, expiresAt: null });
    }
  }
  return out;
}

/** Why the server is not ready yet (`zones loading: 3 of 10 loaded`), or null once every zone has loaded or failed once. */
export function notReadyReason(startedUp: boolean, zones: number, loading: number): string | null {
  if (startedUp) return null;
  return `zones loading: ${Math.max(0, zones - loading)} of ${zones} loaded`;
}
