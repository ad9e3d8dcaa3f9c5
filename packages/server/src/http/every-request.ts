import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';

/**
 * A plugin whose hooks keep nothing between them: one listener serves every request, instead
 * of a new object and a closure per hook for each (Apollo asks every plugin for its listener
 * on every request).
 */
export function everyRequest<C extends BaseContext>(listener: GraphQLRequestListener<C>): ApolloServerPlugin<C> {
  return { requestDidStart: async () => listener };
}
