# fish completion for otto. Every candidate comes from the hidden, stable
# 'otto __complete WORD...' (core/cli/complete.c), which never prints an
# error and gives up after a short time limit.
function __otto_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    $words[1] __complete -- $words[2..-1] $current 2>/dev/null
end
complete -c otto -f -a '(__otto_complete)'
