/**
 * The InfluxQL query model of Grafana's InfluxDB datasource, as a typed builder.
 * The foundation SDK ships no InfluxDB query builder, so this module is the one place that knows its shape.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** How Grafana turns an InfluxQL result into data frames: one frame per series, or one table. */
export type InfluxResultFormat = 'time_series' | 'table';

/** One raw InfluxQL target as Grafana 10 and 11 store it in dashboard JSON. */
export interface InfluxQLQuery extends cog.Dataquery {
  refId: string;
  datasource: DataSourceRef;
  /** Always true: queries are written as InfluxQL text, never through the visual editor model. */
  rawQuery: true;
  query: string;
  resultFormat: InfluxResultFormat;
  /** Legend text; Grafana expands `$tag_<name>` and `$col`. */
  alias?: string;
  /** Annotation targets only: the columns that become the event's text, title and tags. */
  fromAnnotations?: true;
  textColumn?: string;
  titleColumn?: string;
  tagsColumn?: string;
}

/** Builds one {@link InfluxQLQuery}; `build()` gives the object the SDK's panel and annotation builders take. */
export class InfluxQLQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: InfluxQLQuery;

  constructor(datasource: DataSourceRef, query: string) {
    this.internal = {
      refId: 'A', datasource, rawQuery: true, query, resultFormat: 'time_series',
      // The SDK marks dataquery variants with this method; JSON.stringify drops it.
      _implementsDataqueryVariant: () => {},
    };
  }

  build(): InfluxQLQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  alias(alias: string): this {
    this.internal.alias = alias;
    return this;
  }

  /** Rows instead of series: for tables and for bar gauges that show one bar per row. */
  table(): this {
    this.internal.resultFormat = 'table';
    return this;
  }

  /** Marks the target as an annotation query and names the columns Grafana turns into the event. */
  annotationColumns(columns: { text: string; title?: string; tags?: string[] }): this {
    this.internal.fromAnnotations = true;
    this.internal.textColumn = columns.text;
    if (columns.title) this.internal.titleColumn = columns.title;
    if (columns.tags) this.internal.tagsColumn = columns.tags.join(',');
    return this;
  }
}

/** True when a built target is one of ours (a raw InfluxQL query). */
export function isInfluxQLQuery(target: unknown): target is InfluxQLQuery {
  return typeof target === 'object' && target !== null && (target as { rawQuery?: unknown }).rawQuery === true
    && typeof (target as { query?: unknown }).query === 'string';
}
