"""Stand-ins for the services Yonca talks to, speaking their real protocols."""
