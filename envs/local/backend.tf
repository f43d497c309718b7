terraform {
  # The local emulator's state lives next to this file and dies with the emulator's memory.
  backend "local" {
    path = "terraform.tfstate"
  }
}
