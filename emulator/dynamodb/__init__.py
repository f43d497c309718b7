"""DynamoDB: what the emulator adds to moto's."""
