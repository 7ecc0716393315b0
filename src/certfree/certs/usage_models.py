"""Tables of certificate use: verification records (用证记录) and one-time short codes."""
