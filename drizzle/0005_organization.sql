-- Edited by hand: WITHOUT ROWID, as for `ballots` (0001), so that no hidden rowid records the
-- order in which comments arrived.
CREATE TABLE `candidate_comments` (
	`id` blob PRIMARY KEY NOT NULL,
	`poll_id` text NOT NULL,
	`question_id` text NOT NULL,
	`text` text NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `cosignatures` (
	`poll_id` text NOT NULL,
	`account` text NOT NULL,
	`signature` text NOT NULL,
	PRIMARY KEY(`poll_id`, `account`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Edited by hand: WITHOUT ROWID and keyed by a random id, so that no hidden rowid records the
-- order in which (possibly anonymous) objections arrived.
CREATE TABLE `objections` (
	`id` text PRIMARY KEY NOT NULL,
	`poll_id` text NOT NULL,
	`received_on` text NOT NULL,
	`text` text NOT NULL,
	`name` text,
	`contact` text,
	`outcome` text,
	`outcome_note` text,
	`decided_by` text,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade

) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `units` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`parent_id` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`parent_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `meetings` ADD `unit_id` text REFERENCES units(id);--> statement-breakpoint
ALTER TABLE `polls` ADD `published_at` text;--> statement-breakpoint
ALTER TABLE `polls` ADD `publicity_working_days` integer DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `unit_id` text REFERENCES units(id);