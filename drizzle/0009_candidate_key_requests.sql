CREATE TABLE `candidate_key_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`poll_id` text NOT NULL,
	`question_id` text NOT NULL,
	`signing_key` text NOT NULL,
	`box_key` text NOT NULL,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `candidate_key_requests_question` ON `candidate_key_requests` (`poll_id`,`question_id`);