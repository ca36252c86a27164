CREATE TABLE `candidate_keys` (
	`poll_id` text NOT NULL,
	`question_id` text NOT NULL,
	`signing_key` text NOT NULL,
	`box_key` text NOT NULL,
	PRIMARY KEY(`poll_id`, `question_id`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `self_evaluations` ADD `signature` text;