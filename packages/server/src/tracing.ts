import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ApolloServerPlugin } from '@apollo/server';
import type { LogEvent } from 'kysely';
import type { NodeHandler } from './http/node-handlers.js';
import { pathOf } from './http/urls.js';

/**
 * OpenTelemetry traces of each request, sent to an OTLP/HTTP collector: the HTTP request
 * (continuing a caller's W3C traceparent), its GraphQL operation, and every SQL statement it
 * ran. Spans are made here by hand rather than by auto-instrumentation, which patches modules
 * as Node loads them and so misses the ones compiled into the CLI's bundle.
 */
export interface Tracing {
  readonly tracer: Tracer;
  /** Mounted first: the span of the request, active while everything else handles it. */
  middleware(): NodeHandler;
  /** The span of the GraphQL operation, named as the operation ("query Company"). */
  apolloPlugin(): ApolloServerPlugin;
  /** For openDatabase's onQuery: a span for a statement that has just finished. */
  recordQuery(event: LogEvent): void;
  /** Sends the spans still buffered. */
  shutdown(): Promise<void>;
}

export function startTracing(options: { endpoint: string; serviceName: string }): Tracing {
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  const tracer = provider.getTracer('minergraph');

  return {
    tracer,
    middleware() {
      return (req, res, next) => {
        const parent = propagation.extract(ROOT_CONTEXT, req.headers);
        const path = pathOf(req.url);
        tracer.startActiveSpan(
          `${req.method} ${path}`,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': path } },
          parent,
          (span) => {
            res.on('finish', () => {
              span.setAttribute('http.response.status_code', res.statusCode);
              if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
              span.end();
            });
            next();
          },
        );
      };
    },
    apolloPlugin() {
      return {
        async requestDidStart() {
          const span = tracer.startSpan('graphql', { kind: SpanKind.INTERNAL }, context.active());
          return {
            async didResolveOperation({ operation, operationName }) {
              const type = operation?.operation ?? 'operation';
              span.updateName(`${type}${operationName ? ` ${operationName}` : ''}`);
              span.setAttributes({ 'graphql.operation.type': type, 'graphql.operation.name': operationName ?? '' });
            },
            async willSendResponse({ response }) {
              const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
              if (errors?.length) {
                span.setStatus({ code: SpanStatusCode.ERROR });
                span.setAttribute(
                  'graphql.error.codes',
                  errors.map((error) => String(error.extensions?.code ?? '')),
                );
              }
              span.end();
            },
          };
        },
      };
    },
    recordQuery(event) {
      const end = Date.now();
      const text = event.query.sql;
      const span = tracer.startSpan(
        text.trimStart().split(/\s/, 1)[0]!.toUpperCase(),
        {
          kind: SpanKind.CLIENT,
          startTime: end - event.queryDurationMillis,
          // The statement with its $1 placeholders, never its values.
          attributes: { 'db.system.name': 'postgresql', 'db.query.text': text },
        },
        context.active(),
      );
      if (event.level === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(end);
    },
    async shutdown() {
      await provider.shutdown();
      trace.disable();
    },
  };
}
