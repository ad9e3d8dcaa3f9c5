// The page's one client: the SDK's, sending each operation by its hash (the SDK's persisted
// manifest lists them), so the page works on a server that runs persisted operations only.
import { createRequestClient } from '@minergraph/sdk/operations';

export const client = createRequestClient({ url: document.body.dataset.graphqlUrl ?? '/graphql', persisted: true });
