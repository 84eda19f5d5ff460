import { dailyHistory, ledgerAccounts, listLedgers } from './balances.ts';

/**
 * A tour of the typed client: `node src/main.ts [http://127.0.0.1:4000/graphql]` against a gateway
 * whose `server.persistedOperations` is src/gql/persisted-documents.json (the client sends only
 * document ids, so a gateway without that file refuses them). Prints each ledger, the first
 * ledger's accounts with their exact balances, and a week of the first account's history.
 */
const endpoint = process.argv[2] ?? 'http://127.0.0.1:4000/graphql';

const { ledgers, pages, complete, errors } = await listLedgers(endpoint, { pageSize: 5, maxPages: 20 });
console.log(`${ledgers.length} ledgers in ${pages} pages${complete ? '' : ' (more left unread)'}`);
for (const ledger of ledgers) console.log(`ledger ${ledger.source.name}/${ledger.name} (${ledger.source.kind})`);
for (const error of errors)
  console.log(`error ${error.extensions?.code} from ${error.extensions?.source ?? 'the gateway'}`);

const first = ledgers[0];
if (first !== undefined) {
  const { accounts } = await ledgerAccounts(endpoint, first.id, 3);
  for (const account of accounts ?? [])
    for (const balance of account.balances ?? [])
      console.log(
        `balance ${account.address} ${balance.total.amount} ${balance.asset} (${balance.total.minorUnits} minor units)`,
      );
  const account = accounts?.find((candidate) => (candidate.balances?.length ?? 0) > 0);
  const asset = account?.balances?.[0]?.asset;
  if (account !== undefined && asset !== undefined) {
    const { points } = await dailyHistory(endpoint, account.id, asset, { days: 7 });
    for (const point of points ?? [])
      console.log(`history ${account.address} ${point.at} ${point.balance.amount} ${asset}`);
  }
}
