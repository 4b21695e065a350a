"""The product module: products with many SKUs, their prices, stock and Cnova status."""
