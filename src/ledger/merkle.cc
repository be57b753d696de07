namespace entente::ledger {}
