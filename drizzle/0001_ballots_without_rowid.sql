-- Hand-written: drizzle's table builder cannot declare WITHOUT ROWID. A rowid table keeps a
-- hidden integer in insertion order, which would record the order in which ballots arrived
-- and so help join a ballot to a voter who was seen checking in. The columns are exactly those
-- of `ballots` in server/db/schema.ts (the table is empty here: this runs before first use).
DROP TABLE `ballots`;
--> statement-breakpoint
CREATE TABLE `ballots` (
	`nonce` blob PRIMARY KEY NOT NULL,
	`poll_id` text NOT NULL,
	`token` blob NOT NULL,
	`choices` text NOT NULL
) WITHOUT ROWID;
