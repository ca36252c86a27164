CREATE TABLE `checkins` (
	`poll_id` text NOT NULL,
	`voter_id` text NOT NULL,
	`checkin_id` text NOT NULL,
	`state` text NOT NULL,
	`late` integer DEFAULT false NOT NULL,
	`approved_by` text,
	PRIMARY KEY(`poll_id`, `voter_id`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`voter_id`) REFERENCES `voters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `checkins_checkin_id` ON `checkins` (`checkin_id`);--> statement-breakpoint
CREATE TABLE `issuance_requests` (
	`key_id` text NOT NULL,
	`voter_id` text NOT NULL,
	`blinded_message` blob NOT NULL,
	`blind_signature` blob,
	PRIMARY KEY(`key_id`, `voter_id`),
	FOREIGN KEY (`key_id`) REFERENCES `poll_keys`(`key_id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`voter_id`) REFERENCES `voters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
DROP INDEX `poll_keys_poll_group`;--> statement-breakpoint
ALTER TABLE `poll_keys` ADD `question_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `poll_keys` ADD `issued_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `poll_keys` ADD `cast_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `poll_keys_poll_group_question` ON `poll_keys` (`poll_id`,`group`,`question_id`);--> statement-breakpoint
-- Edited by hand: protocol v2 ballots (one answer under one key, with the receipt's salt),
-- WITHOUT ROWID as in 0001. Ballots of v1 polls cannot be cast again under v2: a closed v1 poll
-- keeps its signed bundle in `polls.bundle`; a v1 poll still open when upgrading cannot go on.
DROP TABLE `ballots`;--> statement-breakpoint
CREATE TABLE `ballots` (
	`nonce` blob PRIMARY KEY NOT NULL,
	`poll_id` text NOT NULL,
	`key_id` text NOT NULL,
	`token` blob NOT NULL,
	`salt` blob NOT NULL,
	`answer` text NOT NULL
) WITHOUT ROWID;--> statement-breakpoint
ALTER TABLE `meetings` ADD `room_code` text;--> statement-breakpoint
ALTER TABLE `meetings` ADD `late_check_in` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `polls` ADD `opening` text;--> statement-breakpoint
ALTER TABLE `polls` ADD `submitted` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `polls` ADD `refused_over_issued` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `polls` ADD `declared_not_voted` integer;