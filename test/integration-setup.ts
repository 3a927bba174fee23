// Integration and end-to-end tests wait on real services and providers.
jest.setTimeout(60_000);
