"""The deploy stage: backup, diff, push with a confirm window, verify, rollback; rollouts."""
