from certfree.cli import main

main()
