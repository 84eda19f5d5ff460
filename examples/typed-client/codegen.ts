import type { CodegenConfig } from '@graphql-codegen/cli';
// In your own project: import { clientScalars } from 'balance-gateway';
import { clientScalars } from '../../src/client-scalars.ts';

/**
 * A typed client of balance-gateway with graphql-codegen's client preset. Run from this folder:
 * `npx graphql-codegen --config codegen.ts`. The schema is the repository's SDL; against a running
 * gateway (production included, where introspection is off) use its served SDL instead:
 * `GATEWAY_SCHEMA=http://127.0.0.1:4000/schema.graphql npx graphql-codegen --config codegen.ts`.
 */
const config: CodegenConfig = {
  schema: process.env.GATEWAY_SCHEMA ?? '../../schema/*.graphql',
  documents: ['src/**/*.ts', '!src/gql/**'],
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        // Writes src/gql/persisted-documents.json ("sha256:<hex>" → document): the gateway's
        // server.persistedOperations file. Each document carries its id in __meta__.hash.
        persistedDocuments: true,
        fragmentMasking: false,
      },
      config: {
        scalars: clientScalars,
        // Documents as typed strings: no graphql-js in the client, and __meta__ is typed.
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        // Imports Node's type stripping can resolve (this example runs with `node`, no build).
        importExtension: '.ts',
      },
    },
  },
};

export default config;
