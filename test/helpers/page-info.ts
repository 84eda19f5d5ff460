import type { PageInfo } from '../../src/relay/connection.ts';

/** pageInfo's four fields as a plain object: its cursors are getters, which an equality check of the object itself does not read. */
export const plainPageInfo = ({ hasNextPage, hasPreviousPage, startCursor, endCursor }: PageInfo) => ({
  hasNextPage,
  hasPreviousPage,
  startCursor,
  endCursor,
});
