from messbar.cli import main

raise SystemExit(main())
