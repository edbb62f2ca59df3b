import sys
sys.exit("check_schemas: not written yet")
