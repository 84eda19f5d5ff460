import type { renderGraphiQL } from '@graphql-yoga/render-graphiql';

type GraphiQLOptions = NonNullable<Parameters<typeof renderGraphiQL>[0]>;

/** GraphiQL's first tab; `npm run bench` loads the gateway with it. */
export const DEFAULT_QUERY = `# Every source, its ledgers, a few accounts and their exact balances.
query FirstLook {
  sources { name kind capabilities }
  ledgers(first: 10) {
    nodes {
      id
      name
      source { name }
      accounts(first: 3) {
        totalCount
        nodes {
          address
          balances { asset total { amount minorUnits scale } }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
`;

const PAGING = `# Relay paging: run, copy pageInfo.endCursor into "after" (Variables), run again for the next page.
# A cursor is sealed to this connection: one from another list is BAD_USER_INPUT.
query LedgersPage($first: Int, $after: String) {
  ledgers(first: $first, after: $after) {
    edges { cursor node { id name source { name } } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

const NODE = `# Any id the gateway returned resolves through node(id).
# Run SomeIds, copy an id into "id" (Variables), then run NodeById.
query SomeIds {
  ledgers(first: 2) { nodes { id name accounts(first: 2) { nodes { id address } } } }
}

query NodeById($id: ID!) {
  node(id: $id) {
    id
    __typename
    ... on Ledger { name source { name } }
    ... on Account { address balances { asset total { amount minorUnits scale } } }
    ... on Balance { asset total { amount } }
    ... on Source { name kind }
  }
}
`;

const HISTORY = `# Balance history: one point per interval from "from" to "to", both included, in one asset.
# Vonage cannot tell past balances: its accounts answer UNSUPPORTED_BY_SOURCE on this field only.
query BalanceHistory($asset: String!, $from: DateTime!, $to: DateTime!) {
  ledgers(first: 1) {
    nodes {
      name
      accounts(first: 1) {
        nodes {
          address
          history(asset: $asset, from: $from, to: $to, interval: DAY) {
            nodes { at balance { amount minorUnits scale asset } }
            pageInfo { hasNextPage endCursor }
          }
        }
      }
    }
  }
}
`;

const DAY_MS = 86_400_000;

/** GraphiQL's tabs on a first visit: a first look, paging with `after`, `node(id)`, balance history. */
export function graphiqlTabs(today: Date): NonNullable<GraphiQLOptions['defaultTabs']> {
  const midnight = Math.floor(today.getTime() / DAY_MS) * DAY_MS;
  const history = {
    asset: 'USD',
    from: new Date(midnight - 7 * DAY_MS).toISOString(),
    to: new Date(midnight).toISOString(),
  };
  return [
    { query: DEFAULT_QUERY },
    { query: PAGING, variables: JSON.stringify({ first: 3, after: null }, null, 2) },
    { query: NODE, variables: JSON.stringify({ id: '' }, null, 2) },
    { query: HISTORY, variables: JSON.stringify(history, null, 2) },
  ];
}

/** The call yoga's page makes to start GraphiQL; it passes GraphiQL's props as they are. */
const RENDER_CALL = 'YogaGraphiQL.renderYogaGraphiQL(';

/**
 * yoga's bundled GraphiQL page (no CDN) with the default tabs of the day and the History pane.
 * yoga's page sets GraphiQL's `plugins` to its query-builder Explorer, and its options reach the
 * page as JSON, so no plugin object can be passed; giving GraphiQL `plugins: undefined` instead
 * makes it use its own default, the History plugin (GraphiQL 5 bundles it; the Docs pane stays).
 * The page is 9 MB: it is rendered once per day and options, not per visit. The bundle is loaded
 * on the first visit, not at start: its module holds about 30 MB of heap (its 18 MB source text
 * and the page string it exports) that a gateway nobody opens GraphiQL on never needs.
 */
export function createGraphiQLRenderer(
  now: () => Date = () => new Date(),
): (options: GraphiQLOptions) => Promise<string> {
  // The promise is kept, not the page: visits that come while the page renders share its one render.
  let cached: { key: string; page: Promise<string> } | undefined;
  return (options) => {
    // defaultQuery: what a tab opened with + starts with.
    const withTabs = { defaultQuery: DEFAULT_QUERY, ...options, defaultTabs: graphiqlTabs(now()) };
    const key = JSON.stringify(withTabs);
    if (cached?.key !== key) {
      const page = renderWithHistory(withTabs);
      cached = { key, page };
      // A failed render is not kept: the next visit tries again.
      page.catch(() => {
        if (cached?.page === page) cached = undefined;
      });
    }
    return cached.page;
  };
}

async function renderWithHistory(options: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  const page = renderGraphiQL(options);
  const at = page.lastIndexOf(RENDER_CALL);
  // A yoga upgrade that renders differently must fail the first page, not lose History quietly.
  if (at < 0)
    throw new Error('@graphql-yoga/render-graphiql no longer calls renderYogaGraphiQL: update graphiql-page.ts');
  const start = `((root, props) => ${RENDER_CALL}root, { ...props, plugins: undefined }))(`;
  return `${page.slice(0, at)}${start}${page.slice(at + RENDER_CALL.length)}`;
}
