from recctl.cli import main

main()
